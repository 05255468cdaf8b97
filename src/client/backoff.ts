/**
 * Delays between attempts. Reattaching a stream uses full jitter (AWS "Exponential Backoff And
 * Jitter") so many widgets that lost the same gateway do not come back in lockstep; the token source
 * uses equal jitter so a failing token endpoint is never asked again before half the delay.
 */

export interface BackoffOptions {
  /** delay of the first backed-off attempt before jitter */
  baseMs: number;
  /** no delay exceeds this */
  capMs: number;
  /** [0, 1); injectable so tests can pin it */
  random?: () => number;
}

/** The ceiling for the nth backed-off attempt (n = 0 is the first): base · 2ⁿ, capped. */
export function backoffCeiling(n: number, o: BackoffOptions): number {
  return Math.min(o.capMs, o.baseMs * 2 ** Math.max(0, n));
}

/** Full jitter: uniform in [0, ceiling). */
export function fullJitterDelay(n: number, o: BackoffOptions): number {
  return Math.floor((o.random ?? Math.random)() * backoffCeiling(n, o));
}

/** Equal jitter: uniform in [ceiling / 2, ceiling). */
export function equalJitterDelay(n: number, o: BackoffOptions): number {
  const ceiling = backoffCeiling(n, o);
  return Math.floor(ceiling / 2 + (o.random ?? Math.random)() * (ceiling / 2));
}

/**
 * Resolves after `ms`, or at once when `signal` aborts or `wake` is called; never rejects, so a
 * caller checks its own state afterwards.
 */
export function interruptibleSleep(ms: number, signal?: AbortSignal): { done: Promise<void>; wake: () => void } {
  let wake = () => {};
  const done = new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    signal?.addEventListener('abort', finish, { once: true });
    wake = finish;
  });
  return { done, wake: () => wake() };
}
