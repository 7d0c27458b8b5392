export interface WaitPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_WAIT: WaitPolicy = { baseMs: 250, capMs: 5_000 };

/** How long the n-th wait in a row lasts (n ≥ 1): base·2^(n-1), capped, with ±20 % jitter. */
export function waitDelay(
  n: number,
  policy: WaitPolicy = DEFAULT_WAIT,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(30, n - 1)));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** Resolves after `ms`, or as soon as `signal` aborts (true when the wait ran to its end). */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
