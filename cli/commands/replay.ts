import type { Command } from 'commander';
import { OUTPUTS, type StackOutputName } from '../../infra/stacks/outputs.ts';
import { CONTEXT_CATALOGS, DECLARED_CONTEXTS, pipelineCatalog } from '../../shared/contexts/index.ts';
import { nearestNames } from '../../shared/kit/events/suggest.ts';
import { type BusRoute, busRoutes } from '../../shared/kit/replay.ts';
import { clientsFor } from '../cloud/clients.ts';
import { addressedRoutes, parseTime, type ReplayResult, replayArchive } from '../ops/replay.ts';
import { requiredOutput, type StackContext, stackContext } from '../ops/stack-context.ts';
import { ordersContext } from '../orders/context.ts';
import { rebuildSummaries } from '../orders/rebuild.ts';
import { CliError } from '../output.ts';
import { localDir } from '../paths.ts';
import { globals } from './common.ts';
import { numberIn } from './numbers.ts';

interface ReplayOptions {
  archive?: string | boolean;
  from?: string;
  to?: string;
  projection?: string;
  order?: string[];
  consumer?: string[];
  types?: string[];
  rate: number;
}

/**
 * The consumers a replay can reach: every context's bus consumers, as their rules take events, and in
 * dev the walking skeleton's recorder (it takes every event of the contexts' sources).
 */
function replayRoutes(context: StackContext): BusRoute[] {
  const routes = busRoutes(DECLARED_CONTEXTS);
  if (!context.outputs[OUTPUTS.recorderQueueUrl]) return routes;
  return [
    ...routes,
    {
      name: 'recorder',
      queueOutput: OUTPUTS.recorderQueueUrl,
      unstored: [],
      stored: [],
      sourcePrefixes: CONTEXT_CATALOGS.map((catalog) => `${catalog.name}.`),
    },
  ];
}

/** `--types`, each a catalog type (a misspelling is a usage error with the nearest names). */
function checkedTypes(types: readonly string[] | undefined): string[] | undefined {
  if (types === undefined) return undefined;
  const known = pipelineCatalog.describe().map((row) => row.type);
  for (const type of types) {
    if (known.includes(type)) continue;
    const near = nearestNames(type, [...new Set(known)]);
    throw new CliError(
      `--types ${type} is not an event type of the catalog.`,
      near.length > 0
        ? `Did you mean ${near.join(', ')}? (\`pipeline catalog\` lists them)`
        : '`pipeline catalog` lists them.',
      2,
    );
  }
  return [...types];
}

const sumOf = (counts: Readonly<Record<string, number>>) =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);

function describeResult(result: ReplayResult): string {
  const per = Object.entries(result.forwarded)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return [
    `Replay ${result.replayName}: ${result.state}${result.reason ? ` (${result.reason})` : ''}`,
    `${result.received} event(s) replayed; forwarded: ${per || 'none'}`,
    `not forwarded: ${result.skippedByType} of other types, ${result.unrouted} no addressed consumer takes` +
      `${result.stale ? `, ${result.stale} left over from an earlier replay` : ''}`,
    ...(result.failed > 0
      ? [`${result.failed} could not be sent: they stay in the staging queue (see \`pipeline dlq\`).`]
      : []),
  ].join('\n');
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'Rebuild a read model from the event store (--projection orders: nothing is published, so no side\n' +
        'effect fires again), or replay archived events (--archive) between --from and --to: EventBridge\n' +
        'replays them to a staging queue only (consumer rules take live events only), and this command\n' +
        'forwards them, paced (--rate) and filtered (--types), to the queues of the bus consumers whose\n' +
        'rules take them, or of the ones named (--consumer). Those consumers recognise what they handled\n' +
        'from their streams, so a replay changes nothing already stored and never repeats a side effect.',
    )
    .option('--projection <name>', 'read model to rebuild from the event store (orders)')
    .option('--order <orderId...>', 'with --projection: only these orders')
    .option('--archive [name]', 'archive to replay from (default: the stack output EventArchiveName)')
    .option('--from <time>', 'start: ISO-8601 or relative (30m, 2h, 1d)')
    .option('--to <time>', 'end: ISO-8601 or relative (default: now)')
    .option(
      '--consumer <name...>',
      'with --archive: only to these consumers (e.g. orders/saga, onboarding/accounts; default: every\n' +
        'consumer that takes events from the bus)',
    )
    .option('--types <type...>', 'with --archive: only events of these types')
    .option(
      '--rate <events/s>',
      'with --archive: forward at most this many events per second',
      numberIn({ min: 0.01, max: 1000, integer: false }),
      10,
    )
    .action(async (options: ReplayOptions, command: Command) => {
      const { reporter, stackName } = globals(command);
      if (options.projection !== undefined) {
        if (options.projection !== 'orders') {
          throw new CliError(
            `Unknown projection "${options.projection}".`,
            'The pipeline has one read model: --projection orders.',
            2,
          );
        }
        const context = ordersContext(await stackContext(stackName));
        reporter.step(
          `Rebuilding the orders projection from ${context.eventStoreTable} (no events are published)`,
        );
        const result = await rebuildSummaries(context, {
          ...(options.order
            ? { orderIds: options.order }
            : { checkpointFile: `${localDir}/rebuild-${stackName}.json` }),
          onProgress: ({ orders }) => reporter.step(`${orders} order(s) rebuilt so far`),
        });
        reporter.result(
          { projection: 'orders', ...result },
          () => `Rebuilt ${result.orders} order(s) from ${result.events} stored event(s).`,
        );
        return;
      }
      if (options.archive === undefined) {
        throw new CliError(
          'Say what to replay.',
          '`pipeline replay --projection orders` or `pipeline replay --archive --from 1h`.',
          2,
        );
      }
      if (!options.from)
        throw new CliError('--from is required.', 'e.g. `pipeline replay --archive --from 1h`', 2);
      const from = parseTime(options.from);
      const to = options.to ? parseTime(options.to) : new Date();
      const types = checkedTypes(options.types);
      const context = await stackContext(stackName);
      const archive =
        typeof options.archive === 'string' ? options.archive : requiredOutput(context, OUTPUTS.archiveName);
      const busName = requiredOutput(context, OUTPUTS.busName);
      const targets = addressedRoutes(replayRoutes(context), options.consumer).map((route) => ({
        ...route,
        queueUrl: requiredOutput(context, route.queueOutput as StackOutputName),
      }));
      reporter.step(
        `Replaying ${archive} from ${from.toISOString()} to ${to.toISOString()} to ` +
          `${targets.map((t) => t.name).join(', ')}${types ? ` (${types.join(', ')} only)` : ''}, ` +
          `at most ${options.rate} event(s)/s`,
      );
      const result = await replayArchive(clientsFor(context.target), {
        archive,
        busName,
        from,
        to,
        staging: {
          ruleArn: requiredOutput(context, OUTPUTS.replayRuleArn),
          queueUrl: requiredOutput(context, OUTPUTS.replayQueueUrl),
        },
        targets,
        ...(types ? { types } : {}),
        rate: options.rate,
        onProgress: (p) =>
          reporter.step(
            `replay ${p.state}: ${p.received} received, ${sumOf(p.forwarded)} forwarded, ` +
              `${p.skippedByType + p.unrouted} not for the addressed consumers`,
          ),
      });
      reporter.result(result, () => describeResult(result));
      if (result.state !== 'COMPLETED' || result.failed > 0) process.exitCode = 1;
    });
}
