/**
 * The retry schedule (DESIGN.md §4): attempt n, having failed, waits `min(cap, base·2^(n-1))`
 * with jitter before attempt n + 1, until `maxAttempts` attempts have been made.
 *
 * Jitter is full by default: the wait is drawn uniformly from [0, min(cap, base·2^(n-1))]. When a
 * provider fails for thousands of messages at once, their retries spread over the whole window
 * instead of arriving together (the thundering herd a fixed backoff sends back at a recovering
 * provider), and of the usual choices it makes the fewest calls for the same total work. Its
 * bound keeps the documented formula. `decorrelated` (AWS's name: min(cap, random in [base,
 * 3·previous])) spreads as well but grows from the previous wait, which the record must carry;
 * `none` waits the bound itself, for tests and for operators who want predictable timing.
 */

export const JITTERS = ['full', 'decorrelated', 'none'] as const;
export type Jitter = (typeof JITTERS)[number];

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Attempts in all, the first included: after this many failures the message parks. */
  maxAttempts: number;
  jitter: Jitter;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 1000,
  capMs: 3_600_000,
  maxAttempts: 8,
  jitter: 'full',
};

/** The upper bound of the wait after `attempt` failed attempts (1 = the first failed). */
export function backoffBound(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/**
 * The wait after `attempt` failed attempts, in whole milliseconds. `random` returns [0, 1);
 * `previousMs` is the last wait, for decorrelated jitter (the base when there was none).
 */
export function backoffMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  previousMs?: number,
): number {
  switch (policy.jitter) {
    case 'none':
      return backoffBound(policy, attempt);
    case 'decorrelated': {
      const previous = Math.max(policy.baseMs, previousMs ?? policy.baseMs);
      const upper = Math.max(policy.baseMs, previous * 3);
      return Math.min(policy.capMs, Math.floor(policy.baseMs + random() * (upper - policy.baseMs)));
    }
    case 'full':
      return Math.floor(random() * backoffBound(policy, attempt));
  }
}

/** A failed attempt as the retry engine sees it. */
export interface FailedAttempt {
  errorClass: 'permanent' | 'transient';
  /** Attempts made so far, this one included (the record's `attempt` header). */
  attempts: number;
  /** When the message stops being worth sending (epoch ms), if it says. */
  expiresAt: number | null;
  /** The wait before this attempt, when it was a retry (for decorrelated jitter). */
  previousDelayMs?: number;
}

export type RetryDecision =
  | { kind: 'park'; why: 'permanent' | 'attempts_exhausted' }
  | { kind: 'expire'; dueAt: number | null }
  | { kind: 'retry'; dueAt: number; delayMs: number };

/**
 * What becomes of a failed attempt. A permanent error parks at once (its reason is worth an
 * operator's look even for an expired message). An expired message, or one whose expiry comes
 * before its next attempt would be due, ends `expired`: it could not be sent in time. Exhausted
 * attempts park with the last error. Anything else is retried after the schedule's wait.
 */
export function decideRetry(
  failed: FailedAttempt,
  policy: RetryPolicy,
  now: number,
  random: () => number,
): RetryDecision {
  if (failed.errorClass === 'permanent') return { kind: 'park', why: 'permanent' };
  if (failed.expiresAt !== null && failed.expiresAt <= now) return { kind: 'expire', dueAt: null };
  if (failed.attempts >= policy.maxAttempts) return { kind: 'park', why: 'attempts_exhausted' };
  const delayMs = backoffMs(policy, failed.attempts, random, failed.previousDelayMs);
  const dueAt = now + delayMs;
  if (failed.expiresAt !== null && failed.expiresAt <= dueAt) return { kind: 'expire', dueAt };
  return { kind: 'retry', dueAt, delayMs };
}
