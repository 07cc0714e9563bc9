import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  type EventBridgeClient,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { CliError } from '../output.ts';

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

export interface ReplayResult {
  readonly replayName: string;
  readonly archive: string;
  readonly state: string;
  readonly from: string;
  readonly to: string;
  readonly lastReplayed?: string;
  readonly reason?: string;
}

/**
 * Replays archived events back onto their bus (EventBridge StartReplay). Replayed events carry a
 * `replay-name` field, so consumers can tell them apart; idempotent consumers ignore what they already handled.
 */
export async function replayArchive(
  events: EventBridgeClient,
  options: { archive: string; busName: string; from: Date; to: Date; onProgress?: (state: string) => void },
): Promise<ReplayResult> {
  if (options.from >= options.to) throw new CliError('--from must be before --to.', undefined, 2);
  const archive = await events
    .send(new DescribeArchiveCommand({ ArchiveName: options.archive }))
    .catch(() => {
      throw new CliError(
        `Archive ${options.archive} does not exist.`,
        'Pass --archive NAME (see the EventArchiveName stack output).',
      );
    });
  const bus = await events.send(new DescribeEventBusCommand({ Name: options.busName }));
  const replayName = `pipeline-replay-${Date.now()}`;
  await events.send(
    new StartReplayCommand({
      ReplayName: replayName,
      EventSourceArn: archive.ArchiveArn,
      EventStartTime: options.from,
      EventEndTime: options.to,
      Destination: { Arn: bus.Arn },
    }),
  );
  for (;;) {
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));
    const state = replay.State ?? 'UNKNOWN';
    options.onProgress?.(state);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(state)) {
      return {
        replayName,
        archive: options.archive,
        state,
        from: options.from.toISOString(),
        to: options.to.toISOString(),
        ...(replay.EventLastReplayedTime ? { lastReplayed: replay.EventLastReplayedTime.toISOString() } : {}),
        ...(replay.StateReason ? { reason: replay.StateReason } : {}),
      };
    }
    await sleep(1000);
  }
}
