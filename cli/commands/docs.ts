import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DECLARED_CONTEXTS } from '../../shared/contexts/index.ts';
import { buildSite, writeSite } from '../docs/site.ts';
import { synthesizeTemplate } from '../docs/synth.ts';
import { topologyText, withReadmeTopology } from '../docs/topology-text.ts';
import { CliError } from '../output.ts';
import { localDir, repoRoot } from '../paths.ts';
import { globals } from './common.ts';

/** Where the site goes unless `--out` says otherwise: generated, never committed. */
const DEFAULT_OUT = `${localDir}/docs`;

export function registerDocsCommand(program: Command): void {
  program
    .command('docs')
    .description(
      'Write a static docs site (no server; open index.html): one page per context with each event’s ' +
        'versions, fields, example, producers and consumers, and the topology drawn from the synthesized ' +
        'CloudFormation template (bus, rules and patterns, queues and DLQs, topics and filter policies, ' +
        'event source mappings, tables)',
    )
    .option('--out <dir>', 'directory to write into (created if missing)', DEFAULT_OUT)
    .option(
      '--readme',
      'also rewrite the generated topology block in README.md (the dev stack, OrderPipeline-dev)',
    )
    .addHelpText(
      'after',
      '\nNothing is deployed or called: the stack is synthesized in this process (functions not bundled).\n' +
        '--json prints the files written and the counts of events, resources (nodes) and connections (edges).',
    )
    .action(async (options: { out: string; readme?: boolean }, command: Command) => {
      const { reporter, stage, stackName } = globals(command);
      // The README shows the dev stack under its default name; the unit test compares it with that.
      if (options.readme && stackName !== 'OrderPipeline-dev')
        throw new CliError(
          `--readme shows the dev stack as OrderPipeline-dev, not ${stackName}.`,
          'Run it without --stage and --stack (PIPELINE_STAGE, PIPELINE_STACK unset).',
          2,
        );
      reporter.step(`Synthesizing ${stackName} (stage ${stage})`);
      const template = synthesizeTemplate({ stage, stackName });
      const site = buildSite({ contexts: DECLARED_CONTEXTS, template, stackName });
      const dir = resolve(options.out);
      const files = await writeSite(site, dir);
      if (options.readme) {
        const file = `${repoRoot}README.md`;
        writeFileSync(
          file,
          withReadmeTopology(readFileSync(file, 'utf8'), topologyText(site.topology)),
          'utf8',
        );
        files.push(file);
      }
      reporter.result(
        { dir, files, counts: site.counts },
        () =>
          `Wrote ${files.length} files to ${dir}: ${site.counts.events} events in ${site.counts.contexts} contexts, ` +
          `${site.counts.nodes} resources, ${site.counts.edges} connections.\nOpen ${dir}/index.html`,
      );
    });
}
