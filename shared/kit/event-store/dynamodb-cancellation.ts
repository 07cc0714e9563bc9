import type { CancellationReason } from '@aws-sdk/client-dynamodb';

/** Why a multi-stream append transaction was cancelled, in the terms the store acts on. */
export type CancellationOutcome =
  /** A commit's slot was taken, or another transaction held it: the stream moved on (or is moving). */
  | { readonly kind: 'conflict'; readonly streamIndex: number; readonly detail: string }
  /** DynamoDB gave no usable reasons: the store has to look at the table to tell. */
  | { readonly kind: 'unknown' }
  /** Throttling, validation, size limits: not ours to reinterpret, rethrow as is. */
  | { readonly kind: 'other' };

/**
 * Maps `TransactionCanceledException.CancellationReasons` (one per item, `Code: 'None'` for the ones
 * that were fine) to an outcome. `streamOfItem[i]` is the append (stream) the i-th item belongs to.
 */
export function classifyCancellation(
  reasons: readonly CancellationReason[] | undefined,
  streamOfItem: readonly number[],
): CancellationOutcome {
  if (!reasons || reasons.length !== streamOfItem.length) return { kind: 'unknown' };
  let failed = 0;
  for (const [i, reason] of reasons.entries()) {
    if (!reason.Code || reason.Code === 'None') continue;
    failed += 1;
    const streamIndex = streamOfItem[i] ?? 0;
    if (reason.Code === 'ConditionalCheckFailed') {
      return { kind: 'conflict', streamIndex, detail: 'a version being written exists' };
    }
    if (reason.Code === 'TransactionConflict') {
      return { kind: 'conflict', streamIndex, detail: 'another transaction on the same items was in flight' };
    }
  }
  return failed === 0 ? { kind: 'unknown' } : { kind: 'other' };
}
