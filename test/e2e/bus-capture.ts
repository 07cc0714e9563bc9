import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { openTap, type TailedEvent } from '../../cli/ops/tail.ts';

/** A bus event as the capture saw it (`pipeline tail`'s view of an EventBridge event). */
export type CapturedEvent = TailedEvent & { readonly detail: Record<string, unknown> };

/** A test-owned rule → queue on a bus: everything matching `pattern` lands in the queue. */
export interface BusCapture {
  /** Receives until `done(all so far)` holds, then keeps listening for `settleMs` to catch duplicates. */
  collect(
    done: (events: readonly CapturedEvent[]) => boolean,
    options?: { timeoutMs?: number; settleMs?: number },
  ): Promise<CapturedEvent[]>;
  dispose(): Promise<void>;
}

/**
 * Subscribes to `busName` with `pattern` the way `pipeline tail` does (its tap: a temporary rule and
 * queue), so a test can see exactly what reached the bus, duplicates included.
 */
export async function captureBusEvents(
  clients: { events: EventBridgeClient; sqs: SQSClient },
  busName: string,
  pattern: Record<string, unknown>,
): Promise<BusCapture> {
  const tap = await openTap(clients, busName, { pattern });
  return {
    collect: async (done, { timeoutMs = 60_000, settleMs = 5_000 } = {}) => {
      const events: CapturedEvent[] = [];
      const deadline = Date.now() + timeoutMs;
      let settleUntil: number | undefined;
      while (Date.now() < (settleUntil ?? deadline)) {
        const received = await tap.next(1);
        for (const event of received) events.push(event as CapturedEvent);
        if (settleUntil === undefined && done(events)) settleUntil = Date.now() + settleMs;
        if (received.length === 0) await sleep(200);
      }
      return events;
    },
    dispose: () => tap.close(),
  };
}
