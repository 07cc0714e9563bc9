import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { clientsFor } from '../cloud/clients.ts';
import type { Target } from '../cloud/target.ts';
import type { DeadLetterQueue } from './model.ts';
import { peekMessages } from './peek.ts';
import type { QueuePort } from './queue-port.ts';

/** Where the age of a DLQ's oldest message came from. */
export type AgeSource = 'metric' | 'peek' | 'none';

export interface OldestAge {
  readonly seconds?: number;
  readonly source: AgeSource;
  /** True when the peek saw only part of the queue: the real oldest may be older. */
  readonly lowerBound?: boolean;
  readonly note?: string;
}

/** A peek for the age reads at most this many messages per DLQ. */
export const AGE_PEEK_LIMIT = 100;

/**
 * Ages from CloudWatch's ApproximateAgeOfOldestMessage (Maximum over the last 15 minutes, newest
 * datapoint): the non-intrusive source on AWS, where reading the queue would count as a receive.
 * For a standard DLQ it is the time since the message was moved into the DLQ, for FIFO the same
 * (SQS resets the enqueue time on the move). Emulators publish no SQS metrics.
 */
export async function metricAges(
  target: Target,
  dlqs: readonly DeadLetterQueue[],
  now: Date = new Date(),
): Promise<Map<string, number>> {
  const cloudwatch = clientsFor(target).cloudwatch;
  const ages = new Map<string, number>();
  if (dlqs.length === 0) return ages;
  const result = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - 15 * 60_000),
      EndTime: now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: dlqs.map((dlq, i) => ({
        Id: `q${i}`,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateAgeOfOldestMessage',
            Dimensions: [{ Name: 'QueueName', Value: dlq.name }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      })),
    }),
  );
  for (const series of result.MetricDataResults ?? []) {
    const dlq = dlqs[Number(series.Id?.slice(1))];
    const newest = series.Values?.[0];
    if (dlq && newest !== undefined) ages.set(dlq.url, Math.round(newest));
  }
  return ages;
}

/**
 * The age of the oldest message a peek can see: now minus the smallest SentTimestamp. For a
 * standard DLQ that is the time since the message was first sent to its source queue (SQS keeps the
 * original enqueue time, and the DLQ's retention counts from it), so it can be larger than the
 * CloudWatch metric. Costs one receive per message (ApproximateReceiveCount + 1), so it is skipped
 * for a DLQ with a RedrivePolicy of its own, where receives could move messages on.
 */
export async function peekAge(
  port: QueuePort,
  dlq: DeadLetterQueue,
  now: Date = new Date(),
): Promise<OldestAge> {
  if (dlq.depth.visible === 0) {
    const note = dlq.depth.inFlight > 0 ? 'all messages in flight' : undefined;
    return { source: 'none', ...(note ? { note } : {}) };
  }
  if (dlq.redrivePolicy) {
    return { source: 'none', note: 'not peeked: receives count toward its own maxReceiveCount' };
  }
  const { messages } = await peekMessages(port, dlq.url, {
    limit: AGE_PEEK_LIMIT,
    expected: dlq.depth.visible,
  });
  const sent = messages
    .map((m) => Number(m.attributes.SentTimestamp))
    .filter((t) => Number.isFinite(t) && t > 0);
  if (sent.length === 0) return { source: 'none', note: 'no message visible to a peek' };
  return {
    seconds: Math.max(0, Math.round((now.getTime() - Math.min(...sent)) / 1000)),
    source: 'peek',
    lowerBound: messages.length < dlq.depth.visible + dlq.depth.inFlight,
  };
}

/** "42 s", "3 min", "2 h 5 min", "1 d 3 h". */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}
