/** How a failed SQS record waits before it is received again. */
export interface BackoffPolicy {
  /** Delay ceiling of the first retry, in seconds. @default 2 */
  readonly baseSeconds?: number;
  /** Upper bound of any delay; SQS allows at most 12 hours of visibility. @default 900 */
  readonly maxSeconds?: number;
}

const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Exponential backoff with "equal jitter": half of the exponential step is fixed, half random.
 * The fixed half guarantees the delay grows with every receive; the random half keeps a burst of
 * failures from coming back all at once. `receiveCount` is SQS's ApproximateReceiveCount (1 on the first try).
 */
export function backoffSeconds(
  receiveCount: number,
  policy: BackoffPolicy = {},
  random: () => number = Math.random,
): number {
  const base = policy.baseSeconds ?? 2;
  const max = Math.min(policy.maxSeconds ?? 900, SQS_MAX_VISIBILITY_SECONDS);
  // A missing or garbled ApproximateReceiveCount counts as the first attempt.
  const attempt = Number.isFinite(receiveCount) ? Math.max(1, Math.floor(receiveCount)) : 1;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}
