import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { pipelineCatalog } from '../../shared/contexts/index.ts';
import { type JsonSchemaTarget, writeJsonSchemas } from '../../shared/kit/events/json-schema.ts';
import { table } from '../output.ts';
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
      const rows = pipelineCatalog.describe().map((row) => ({ context: row.source.split('.')[0], ...row }));
      reporter.result(rows, () =>
        table([
          ['CONTEXT', 'TYPE', 'VERSION', 'LATEST', 'SOURCE', 'DESCRIPTION'],
          ...rows.map((r) => [
            r.context ?? '',
            r.type,
            `v${r.version}`,
            r.latest ? 'yes' : '',
            r.source,
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
}
