import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';

/** What each item of an append transaction is for, in `TransactItems` order. */
export type TransactionSlot =
  | { readonly kind: 'event'; readonly streamIndex: number }
  | { readonly kind: 'versionCheck'; readonly streamIndex: number }
  | { readonly kind: 'idempotency' };

/** Why an append transaction was cancelled, in the terms the store acts on. */
export type CancellationOutcome =
  /** The idempotency record exists: answer from it (its item, when DynamoDB returned it). */
  | { readonly kind: 'idempotencyHit'; readonly item: Record<string, AttributeValue> | undefined }
  /** A version condition failed or another transaction held an item: a {@link ConcurrencyError}. */
  | { readonly kind: 'conflict'; readonly streamIndex: number; readonly detail: string }
  /** DynamoDB gave no usable reasons: the store has to look at the table to tell. */
  | { readonly kind: 'unknown' }
  /** Throttling, validation, size limits: not ours to reinterpret, rethrow as is. */
  | { readonly kind: 'other' };

/**
 * Maps `TransactionCanceledException.CancellationReasons` (one per item, `Code: 'None'` for the ones
 * that were fine) to an outcome. The idempotency record wins over version conflicts, because a repeated
 * append usually carries a stale `expectedVersion` too and must still get its first result back.
 */
export function classifyCancellation(
  reasons: readonly CancellationReason[] | undefined,
  slots: readonly TransactionSlot[],
): CancellationOutcome {
  if (!reasons || reasons.length !== slots.length) return { kind: 'unknown' };
  const failed = reasons.flatMap((reason, i) => {
    const slot = slots[i];
    return slot && reason.Code && reason.Code !== 'None' ? [{ slot, reason }] : [];
  });
  const hit = failed.find((f) => f.slot.kind === 'idempotency' && f.reason.Code === 'ConditionalCheckFailed');
  if (hit) return { kind: 'idempotencyHit', item: hit.reason.Item };
  for (const { slot, reason } of failed) {
    if (reason.Code === 'TransactionConflict') {
      const streamIndex = slot.kind === 'idempotency' ? 0 : slot.streamIndex;
      return { kind: 'conflict', streamIndex, detail: 'another transaction on the same items was in flight' };
    }
    if (reason.Code === 'ConditionalCheckFailed' && slot.kind !== 'idempotency') {
      const detail =
        slot.kind === 'event' ? 'a version being written exists' : 'expected version does not exist';
      return { kind: 'conflict', streamIndex: slot.streamIndex, detail };
    }
  }
  return failed.length === 0 ? { kind: 'unknown' } : { kind: 'other' };
}
