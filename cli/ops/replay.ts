import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  type EventBridgeClient,
  ListReplaysCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { BusRoute } from '../../shared/kit/replay.ts';
import { sqsQueuePort } from '../dlq/queue-port.ts';
import { CliError } from '../output.ts';
import { type ForwardCounts, forwardStaged, type ReplayTarget } from './replay-forward.ts';

export type { ReplayTarget } from './replay-forward.ts';

/** Parses an ISO time or a relative one ("90m", "2h", "1d" ago). */
export function parseTime(value: string, now: Date = new Date()): Date {
  const relative = /^(\d+)([smhd])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) {
    throw new CliError(
      `"${value}" is not a time.`,
      'Use ISO-8601 (2026-11-22T10:00:00Z) or a relative time like 30m, 2h, 1d.',
      2,
    );
  }
  return parsed;
}

/** What a replay did: EventBridge's state, then what the forwarder did with each staged event. */
export interface ReplayResult extends ForwardCounts {
  readonly replayName: string;
  readonly archive: string;
  readonly state: string;
  readonly from: string;
  readonly to: string;
  /** Consumers the replay was addressed to. */
  readonly consumers: readonly string[];
  /** Events per second the forwarder kept to. */
  readonly rate: number;
  readonly lastReplayed?: string;
  readonly reason?: string;
}

/** Progress of a running replay, reported about once a second. */
export interface ReplayProgress extends ForwardCounts {
  readonly state: string;
}

/** Options of {@link replayArchive}. */
export interface ReplayArchiveOptions {
  readonly archive: string;
  readonly busName: string;
  readonly from: Date;
  readonly to: Date;
  /** The staging rule (the replay's only FilterArn) and the queue it feeds. */
  readonly staging: { readonly ruleArn: string; readonly queueUrl: string };
  /** Where staged events may go: each bus consumer addressed, with its queue. */
  readonly targets: readonly ReplayTarget[];
  /** Only these event types are forwarded. @default every type */
  readonly types?: readonly string[];
  /** Events per second forwarded at most. */
  readonly rate: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** A replay still STARTING after this long is stuck (seen on LocalStack): say so instead of waiting on. */
const MAX_STARTING_MS = 5 * 60_000;

/**
 * Replays archived events, safely: EventBridge replays them onto the bus with the staging rule as the
 * only FilterArn (and every consumer rule takes live traffic only, so nothing else matches even where
 * FilterArns is ignored); the staging queue is drained here and each event, if of one of `types`, is
 * forwarded at most `rate` per second to the queues of the addressed consumers whose rules take it. It
 * returns once EventBridge finished and the staging queue is empty.
 */
export async function replayArchive(
  clients: { readonly events: EventBridgeClient; readonly sqs: SQSClient },
  options: ReplayArchiveOptions,
): Promise<ReplayResult> {
  const { events } = clients;
  if (options.from >= options.to) throw new CliError('--from must be before --to.', undefined, 2);
  const archive = await events
    .send(new DescribeArchiveCommand({ ArchiveName: options.archive }))
    .catch(() => {
      throw new CliError(
        `Archive ${options.archive} does not exist.`,
        'Pass --archive NAME (see the EventArchiveName stack output).',
      );
    });
  await refuseConcurrentReplay(events, archive.ArchiveArn);
  const bus = await events.send(new DescribeEventBusCommand({ Name: options.busName }));
  const replayName = `pipeline-replay-${Date.now()}`;
  await events
    .send(
      new StartReplayCommand({
        ReplayName: replayName,
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: options.from,
        EventEndTime: options.to,
        Destination: { Arn: bus.Arn, FilterArns: [options.staging.ruleArn] },
      }),
    )
    .catch((error: Error) => {
      // The SDK retried a call the service had carried out: the name is this run's own.
      if (error.name !== 'ResourceAlreadyExistsException') throw error;
    });
  let replay = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));
  const startedAt = Date.now();
  let polledAt = startedAt;
  const counts = await forwardStaged(sqsQueuePort(clients.sqs), {
    replayName,
    queueUrl: options.staging.queueUrl,
    targets: options.targets,
    ...(options.types ? { types: options.types } : {}),
    rate: options.rate,
    // The source is done once EventBridge says the replay ended; the forwarder then drains what is left.
    sourceDone: async () => {
      if (Date.now() - polledAt >= 1000 && !TERMINAL.includes(replay.State ?? '')) {
        replay = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));
        polledAt = Date.now();
        if (replay.State === 'STARTING' && polledAt - startedAt > MAX_STARTING_MS) {
          throw new CliError(
            `Replay ${replayName} has not started after ${MAX_STARTING_MS / 60_000} minutes.`,
            `See it with: aws events describe-replay --replay-name ${replayName}; cancel it with cancel-replay.`,
          );
        }
      }
      return TERMINAL.includes(replay.State ?? '');
    },
    onProgress: (progress) => options.onProgress?.({ state: replay.State ?? 'UNKNOWN', ...progress }),
  });
  return {
    replayName,
    archive: options.archive,
    state: replay.State ?? 'UNKNOWN',
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    consumers: options.targets.map((target) => target.name),
    rate: options.rate,
    ...counts,
    ...(replay.EventLastReplayedTime ? { lastReplayed: replay.EventLastReplayedTime.toISOString() } : {}),
    ...(replay.StateReason ? { reason: replay.StateReason } : {}),
  };
}

/** One replay at a time per archive: two would share the staging queue. */
async function refuseConcurrentReplay(events: EventBridgeClient, archiveArn: string | undefined) {
  const { Replays = [] } = await events.send(new ListReplaysCommand({ EventSourceArn: archiveArn }));
  const running = Replays.find((r) => r.State === 'STARTING' || r.State === 'RUNNING');
  if (running) {
    throw new CliError(
      `Replay ${running.ReplayName} is still running on this archive.`,
      `Wait for it, or cancel it: aws events cancel-replay --replay-name ${running.ReplayName}`,
    );
  }
}

/** Routes addressed by `--consumer`: every route when none is named. */
export function addressedRoutes(
  routes: readonly BusRoute[],
  names: readonly string[] | undefined,
): BusRoute[] {
  if (names === undefined || names.length === 0) return [...routes];
  return names.map((name) => {
    const matches = routes.filter((route) => route.name === name || route.name.endsWith(`/${name}`));
    if (matches.length === 1) return matches[0] as BusRoute;
    const choices = routes.map((route) => route.name).join(', ');
    throw new CliError(
      matches.length > 1
        ? `--consumer ${name} names several consumers: ${matches.map((m) => m.name).join(', ')}.`
        : `--consumer ${name} is not a consumer a replay can reach.`,
      `A replay reaches the consumers that take events from the bus: ${choices}. The others take only ` +
        'stored events from the outbox, which a replay never publishes again.',
      2,
    );
  });
}
