import type { HeraldError } from '../errors';

/** Failure headers a record carries to notify.dlq (DESIGN.md §3). */
export interface FailureContext {
  sourceTopic: string;
  /** Headers the record arrived with: a record that failed before keeps its history. */
  previous: {
    attempt?: string | undefined;
    firstFailedAt?: string | undefined;
    targetTopic?: string | undefined;
  };
  now: number;
}

export function failureHeaders(err: HeraldError, ctx: FailureContext): Record<string, string> {
  const previousAttempt = Number.parseInt(ctx.previous.attempt ?? '0', 10);
  return {
    attempt: String((Number.isFinite(previousAttempt) ? previousAttempt : 0) + 1),
    'error-class': err.retriable ? 'transient' : 'permanent',
    error: `${err.code}: ${err.message}`.slice(0, 500),
    'first-failed-at': ctx.previous.firstFailedAt ?? new Date(ctx.now).toISOString(),
    'target-topic': ctx.previous.targetTopic ?? ctx.sourceTopic,
  };
}
