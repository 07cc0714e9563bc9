import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Messages a queue still holds: waiting, being handled (in flight) and delayed (saga timers). */
export interface QueueBacklog {
  readonly queue: string;
  readonly messages: number;
}

/** The work queues of a stack's outputs (`…QueueUrl`, not the DLQs'), by output name. */
export function workQueues(outputs: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(
    Object.entries(outputs).filter(([name]) => name.endsWith('QueueUrl') && !name.endsWith('DlqUrl')),
  );
}

/**
 * What each queue holds now (visible + in flight, + delayed unless `includeDelayed` is false), non-empty
 * ones only. Delayed messages are saga timers: a test asking "has the work this order started finished?"
 * leaves them out, since a timer for a finished step fires minutes later and changes nothing.
 */
export async function backlogOf(
  sqs: SQSClient,
  queues: ReadonlyMap<string, string>,
  includeDelayed = true,
): Promise<QueueBacklog[]> {
  const counts = await Promise.all(
    [...queues].map(async ([queue, url]) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      const messages =
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
        (includeDelayed ? Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0) : 0);
      return { queue, messages };
    }),
  );
  return counts.filter(({ messages }) => messages > 0);
}

/** Options of {@link waitForEmptyQueues}. */
export interface SettleOptions {
  /** Gives up (and says what is left) at this instant (ms since the epoch). */
  readonly deadline: number;
  /** Polls in a row that must find every queue empty. @default 3 */
  readonly emptyPolls?: number;
  readonly intervalMs?: number;
  /** Counts delayed messages (saga timers) as work left. @default true */
  readonly includeDelayed?: boolean;
  readonly log?: (line: string) => void;
}

/**
 * Waits until every work queue is empty for `emptyPolls` polls in a row. The bus going quiet is not
 * enough: commands and replies travel from the outbox straight to the consumers' queues, so a consumer
 * working through a backlog (after a stop, or retrying with backoff) changes the store for minutes after
 * the last event on the bus. Returns what was still queued at the deadline (empty when settled).
 */
export async function waitForEmptyQueues(
  sqs: SQSClient,
  queues: ReadonlyMap<string, string>,
  options: SettleOptions,
): Promise<QueueBacklog[]> {
  const needed = options.emptyPolls ?? 3;
  let empty = 0;
  let last: QueueBacklog[] = [];
  let reported = 0;
  while (Date.now() < options.deadline) {
    last = await backlogOf(sqs, queues, options.includeDelayed ?? true);
    empty = last.length === 0 ? empty + 1 : 0;
    if (empty >= needed) return [];
    if (last.length > 0 && Date.now() - reported > 30_000) {
      reported = Date.now();
      options.log?.(`queues still working: ${last.map((b) => `${b.queue} ${b.messages}`).join(', ')}`);
    }
    await sleep(options.intervalMs ?? 5_000);
  }
  return last;
}
