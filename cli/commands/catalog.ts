import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { pipelineCatalog } from '../../shared/contexts/index.ts';
import {
  breakingChangeAdvice,
  type CatalogBaseline,
  catalogBaseline,
  checkCatalog,
} from '../../shared/kit/events/compatibility.ts';
import { type JsonSchemaTarget, writeJsonSchemas } from '../../shared/kit/events/json-schema.ts';
import { fieldPathText, personalFields } from '../../shared/kit/personal-data/schema.ts';
import { CliError, table } from '../output.ts';
import { repoRoot } from '../paths.ts';
import { globals } from './common.ts';

const formats: Record<string, JsonSchemaTarget> = {
  jsonschema: 'draft-04',
  'jsonschema-draft-07': 'draft-07',
  'jsonschema-2020-12': 'draft-2020-12',
};

export function registerCatalogCommands(program: Command): void {
  const catalog = program
    .command('catalog')
    .description(
      'List the event catalog of every context (types, versions, owners) or export its JSON Schemas',
    )
    .action((_options: unknown, command: Command) => {
      const { reporter } = globals(command);
      // The context owning an event is the first segment of its source (`orders.payment` → orders).
      const rows = pipelineCatalog.describe().map((row) => ({
        context: row.source.split('.')[0],
        ...row,
        // Fields encrypted under the data subject's key (docs/personal-data.md), per version.
        ...personalOf(row.type, row.version),
      }));
      reporter.result(rows, () =>
        table([
          ['CONTEXT', 'TYPE', 'VERSION', 'LATEST', 'SOURCE', 'PERSONAL (SUBJECT)', 'DESCRIPTION'],
          ...rows.map((r) => [
            r.context ?? '',
            r.type,
            `v${r.version}`,
            r.latest ? 'yes' : '',
            r.source,
            r.personal.length === 0 ? '' : `${r.personal.join(', ')} (${r.subject ?? '?'})`,
            r.description,
          ]),
        ]),
      );
    });

  catalog
    .command('export')
    .description(
      'Write one JSON Schema per event and version (<Type>.v<N>.json), e.g. for the EventBridge Schema Registry',
    )
    .addOption(
      new Option('--format <format>', 'jsonschema = draft-04, what the Schema Registry accepts')
        .choices(Object.keys(formats))
        .default('jsonschema'),
    )
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .action(async (options: { format: string; out: string }, command: Command) => {
      const { reporter } = globals(command);
      const dir = resolve(options.out);
      reporter.step(`Writing JSON Schemas to ${dir}`);
      const paths = await writeJsonSchemas(pipelineCatalog, dir, {
        target: formats[options.format] ?? 'draft-04',
      });
      reporter.result({ dir, files: paths }, () => `Wrote ${paths.length} schemas to ${dir}`);
    });

  catalog
    .command('check')
    .description(
      'Fail when an event version stops accepting what the committed baseline says it accepted (removed or renamed field, narrowed type, optional → required, enum value removed, tighter bounds); run by npm test',
    )
    .option('--baseline <file>', 'baseline to compare with', DEFAULT_BASELINE)
    .action((options: { baseline: string }, command: Command) => {
      const { reporter } = globals(command);
      const file = resolve(options.baseline);
      const result = checkCatalog(pipelineCatalog, readBaseline(file));
      const changes = result.breaking.map((c) => ({ ...c, advice: breakingChangeAdvice(c) }));
      if (changes.length > 0) {
        if (reporter.json) reporter.result({ file, ...result, breaking: changes }, () => '');
        throw new CliError(
          `${changes.length} breaking change(s) to event versions in the baseline (${file}):\n${changes
            .map((c) => `  ${c.event} ${c.path || '(the version)'}: ${c.rule}: ${c.detail}`)
            .join('\n')}`,
          changes[0]?.advice,
        );
      }
      reporter.result({ file, ...result }, () =>
        [
          `${result.checked} event versions compatible with the baseline.`,
          ...(result.notInBaseline.length > 0
            ? [
                `Not in the baseline yet (compatible; run \`pipeline catalog baseline\` to protect them): ${result.notInBaseline.join(', ')}`,
              ]
            : []),
        ].join('\n'),
      );
    });

  catalog
    .command('baseline')
    .description(
      'Write the baseline `catalog check` compares with: every event version as it is now (do this when adding a version, not to hide a breaking change)',
    )
    .option('--baseline <file>', 'file to write', DEFAULT_BASELINE)
    .action((options: { baseline: string }, command: Command) => {
      const { reporter } = globals(command);
      const file = resolve(options.baseline);
      const baseline = catalogBaseline(pipelineCatalog);
      writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`, 'utf8');
      const count = Object.keys(baseline.schemas).length;
      reporter.result({ file, versions: count }, () => `Wrote ${count} event versions to ${file}`);
    });
}

/** The personal fields of one version of a type, and the field naming their subject. */
function personalOf(type: string, version: number): { personal: string[]; subject?: string } {
  const definition = pipelineCatalog.definitionOf(type);
  const schema =
    version === definition.version
      ? definition.schema
      : definition.previous.find((entry) => entry.version === version)?.schema;
  const personal = schema ? personalFields(schema).map(fieldPathText) : [];
  return definition.subject === undefined ? { personal } : { personal, subject: definition.subject };
}

/** The committed baseline of every context's event versions. */
const DEFAULT_BASELINE = `${repoRoot}shared/contexts/catalog.baseline.json`;

function readBaseline(file: string): CatalogBaseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(
      `No baseline at ${file}.`,
      'Run `pipeline catalog baseline` to write one, and commit it.',
    );
  }
  try {
    const parsed = JSON.parse(text) as Partial<CatalogBaseline>;
    if (typeof parsed.schemas !== 'object' || parsed.schemas === null) throw new Error('no "schemas" object');
    return parsed as CatalogBaseline;
  } catch (error) {
    throw new CliError(
      `${file} is not a catalog baseline: ${error instanceof Error ? error.message : String(error)}.`,
      'Restore it from git, or write it anew with `pipeline catalog baseline`.',
    );
  }
}
