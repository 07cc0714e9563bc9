import { metricAges, type OldestAge, peekAge } from './age.ts';
import { appendAudit, auditFile, currentOperator } from './audit.ts';
import type { DlqContext } from './context.ts';
import { type DecodedMessage, decodeMessage } from './decode.ts';
import { queueResolver } from './discover.ts';
import type { DeadLetterQueue, QueueRef } from './model.ts';
import { PEEK_VISIBILITY_SECONDS, peekMessages } from './peek.ts';
import { type RedriveDeps, type RedriveResult, redrive } from './redrive.ts';
import { type DlqListEntry, throttledProgress } from './render.ts';

/**
 * Every DLQ of the stack with depth, oldest age (CloudWatch metric or a peek, per `ageFrom`: auto, metric,
 * peek, none) and sources: what `pipeline dlq list` and the console show.
 */
export async function listEntries(context: DlqContext, ageFrom: string): Promise<DlqListEntry[]> {
  const { dlqs } = context.stack;
  const useMetric = ageFrom === 'metric' || (ageFrom === 'auto' && context.target.kind === 'aws');
  const metric = useMetric ? await metricAges(context.target, dlqs) : undefined;
  if (!metric && ageFrom !== 'none' && dlqs.some((d) => d.depth.visible > 0)) {
    context.reporter.step(
      `Peeking for message ages (each message hidden ≤ ${PEEK_VISIBILITY_SECONDS} s, then visible again)`,
    );
  }
  const entries: DlqListEntry[] = [];
  for (const dlq of dlqs) {
    let oldest: OldestAge = { source: 'none' };
    if (metric) {
      const seconds = metric.get(dlq.url);
      oldest =
        seconds === undefined
          ? { source: 'metric', note: 'no datapoint in 15 min' }
          : { seconds, source: 'metric' };
    } else if (ageFrom !== 'none') oldest = await peekAge(context.port, dlq);
    entries.push({
      logicalId: dlq.logicalId,
      name: dlq.name,
      url: dlq.url,
      arn: dlq.arn,
      fifo: dlq.fifo,
      depth: { ...dlq.depth, total: dlq.depth.visible + dlq.depth.inFlight },
      oldest,
      sources: dlq.sources,
    });
  }
  return entries;
}

/** Decoded messages of one DLQ, peeked and left in place: what `pipeline dlq show` and the console show. */
export async function showMessages(
  context: DlqContext,
  dlq: DeadLetterQueue,
  limit: number,
): Promise<DecodedMessage[]> {
  const { reporter } = context;
  if (dlq.redrivePolicy) {
    reporter.warn(
      `${dlq.name} has a RedrivePolicy of its own: each peek counts toward its maxReceiveCount (${dlq.redrivePolicy.maxReceiveCount}).`,
    );
  }
  reporter.step(`Peeking up to ${limit} message(s) of ${dlq.name}; they stay in the queue`);
  const progress = throttledProgress(reporter.step);
  const peek = await peekMessages(context.port, dlq.url, {
    limit,
    onProgress: (seen) => progress.update(`… ${seen} message(s) read`),
  });
  progress.done(`${peek.messages.length} message(s) read, visibility reset`);
  if (peek.notReset > 0) {
    reporter.warn(
      `${peek.notReset} message(s) stay hidden until their ${PEEK_VISIBILITY_SECONDS} s visibility ends.`,
    );
  }
  const now = new Date();
  return peek.messages.map((m) => decodeMessage(m, dlq, now));
}

/**
 * `redrive` wired as `pipeline dlq redrive` runs it: the stack's queues resolve targets, every moved
 * batch is appended to the audit file, the operator is the user running the process. The command and
 * the console both move messages through here, so neither can skip the audit.
 */
export function auditedRedrive(
  context: DlqContext,
  dlq: DeadLetterQueue,
  options: { ids: readonly string[] | undefined; dryRun: boolean; to: QueueRef | undefined },
  onProgress?: RedriveDeps['onProgress'],
  file: string = auditFile(),
): Promise<RedriveResult> {
  return redrive(
    {
      port: context.port,
      resolveQueue: queueResolver(context.clients.sqs, context.stack.queues),
      audit: (entries) => appendAudit(file, entries),
      ...(onProgress ? { onProgress } : {}),
    },
    dlq,
    { ...options, stack: context.stackName, operator: currentOperator() },
  );
}
