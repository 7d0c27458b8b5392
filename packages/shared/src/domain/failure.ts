import type { HeraldError } from '../errors';

/** Failure headers a record carries to notify.dlq (DESIGN.md §3). */
export interface FailureContext {
  sourceTopic: string;
  /** Headers the record arrived with: a record that failed before keeps its history. */
  previous: {
    attempt?: string | undefined;
    firstFailedAt?: string | undefined;
    targetTopic?: string | undefined;
    /** The `failures` header: earlier failures, JSON. */
    failures?: string | undefined;
  };
  now: number;
}

/** One failed attempt, as kept in the `failures` header and shown in a dead letter's history. */
export interface FailureEntry {
  attempt: number;
  at: string;
  error: string;
}

/**
 * Failures kept in the header: the first (a dead letter's first error) and the latest nine, so the
 * header stays small however many attempts a policy allows.
 */
const HISTORY = 10;

function bounded(history: FailureEntry[]): FailureEntry[] {
  const [first] = history;
  if (history.length <= HISTORY || !first) return history;
  return [first, ...history.slice(-(HISTORY - 1))];
}

/** The `failures` header read back; anything unreadable is no history rather than an error. */
export function readFailureHistory(text: string | undefined): FailureEntry[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (e): e is FailureEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as FailureEntry).attempt === 'number' &&
        typeof (e as FailureEntry).at === 'string' &&
        typeof (e as FailureEntry).error === 'string',
    );
  } catch {
    return [];
  }
}

export function failureHeaders(err: HeraldError, ctx: FailureContext): Record<string, string> {
  const previousAttempt = Number.parseInt(ctx.previous.attempt ?? '0', 10);
  const attempt = (Number.isFinite(previousAttempt) ? previousAttempt : 0) + 1;
  const error = `${err.code}: ${err.message}`.slice(0, 500);
  const at = new Date(ctx.now).toISOString();
  const failures = bounded([...readFailureHistory(ctx.previous.failures), { attempt, at, error }]);
  return {
    attempt: String(attempt),
    'error-class': err.retriable ? 'transient' : 'permanent',
    error,
    'first-failed-at': ctx.previous.firstFailedAt ?? at,
    'target-topic': ctx.previous.targetTopic ?? ctx.sourceTopic,
    failures: JSON.stringify(failures),
  };
}
