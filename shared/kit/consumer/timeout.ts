/**
 * Waits `ms` unless `signal` aborts first (then it never settles). Injected so tests decide when a
 * timeout fires instead of waiting for it.
 */
export type Timer = (ms: number, signal: AbortSignal) => Promise<void>;

/** The wall-clock {@link Timer}: `setTimeout`, cleared when the signal aborts. */
export const realTimer: Timer = (ms, signal) =>
  new Promise((resolve) => {
    const handle = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(handle), { once: true });
  });

/**
 * Runs `call` with a deadline: after `timeoutMs` it rejects with `onTimeout()` and aborts the signal
 * passed to `call`, so a client that honours it stops waiting too. The timer is cleared when `call`
 * settles first.
 */
export async function withTimeout<T>(
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  onTimeout: () => Error,
  timer: Timer = realTimer,
): Promise<T> {
  const controller = new AbortController();
  const expired = timer(timeoutMs, controller.signal).then(() => {
    const error = onTimeout();
    controller.abort(error);
    throw error;
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } finally {
    if (!controller.signal.aborted) controller.abort();
  }
}
