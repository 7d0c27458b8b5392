import { UUID } from '@herald/shared/domain';

/** What a record's failure headers say, read back for parking. */
export interface FailureInfo {
  reason: string;
  errorClass: 'permanent' | 'transient';
  attempts: number;
  error: string | null;
  firstFailedAt: Date | null;
  targetTopic: string | null;
}

/** `error` is `<code>: <message>` (shared failureHeaders); the code is the park reason. */
export function readFailure(headers: Record<string, string>): FailureInfo {
  const error = headers.error ?? null;
  const code = error ? /^([a-z_]+):/.exec(error)?.[1] : undefined;
  const attempts = Number.parseInt(headers.attempt ?? '1', 10);
  const first = headers['first-failed-at'] ? new Date(headers['first-failed-at']) : null;
  return {
    reason: code ?? 'unknown',
    errorClass: headers['error-class'] === 'permanent' ? 'permanent' : 'transient',
    attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 1,
    error,
    firstFailedAt: first && !Number.isNaN(first.getTime()) ? first : null,
    targetTopic: headers['target-topic'] ?? null,
  };
}

/**
 * The notification a failed record belongs to, when its payload is a channel message or a request
 * with a valid id. Anything else (a status event, a producer's bad id) gets no status event: one
 * that the projection could not store would only come back here.
 */
export function subjectOf(
  decoded: unknown,
): { notificationId: string; channel: 'EMAIL' | 'SMS' | 'PUSH' | null } | null {
  if (typeof decoded !== 'object' || decoded === null) return null;
  const r = decoded as Record<string, unknown>;
  if (
    typeof r.notificationId === 'string' &&
    typeof r.address === 'string' &&
    typeof r.channel === 'string'
  ) {
    if (!UUID.test(r.notificationId)) return null;
    const channel = r.channel === 'EMAIL' || r.channel === 'SMS' || r.channel === 'PUSH' ? r.channel : null;
    return { notificationId: r.notificationId, channel };
  }
  if (typeof r.id === 'string' && typeof r.userId === 'string' && UUID.test(r.id)) {
    return { notificationId: r.id, channel: null };
  }
  return null;
}
