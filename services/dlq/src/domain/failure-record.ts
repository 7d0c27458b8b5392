import { UUID, readFailureHistory } from '@herald/shared/domain';
import type { FailureEntry } from '@herald/shared/domain';

/** What a record's failure headers say, read back for parking. */
export interface FailureInfo {
  reason: string;
  errorClass: 'permanent' | 'transient';
  attempts: number;
  error: string | null;
  firstFailedAt: Date | null;
  targetTopic: string | null;
  /** The failures so far, the latest last (the `failures` header). */
  history: FailureEntry[];
  /** The wait before the attempt that failed, when it was a retry (decorrelated jitter). */
  previousDelayMs: number | undefined;
}

/** `error` is `<code>: <message>` (shared failureHeaders); the code is the park reason. */
export function readFailure(headers: Record<string, string>): FailureInfo {
  const error = headers.error ?? null;
  const code = error ? /^([a-z_]+):/.exec(error)?.[1] : undefined;
  const attempts = Number.parseInt(headers.attempt ?? '1', 10);
  const first = headers['first-failed-at'] ? new Date(headers['first-failed-at']) : null;
  const delay = headers['retry-delay-ms'] === undefined ? undefined : Number(headers['retry-delay-ms']);
  return {
    reason: code ?? 'unknown',
    errorClass: headers['error-class'] === 'permanent' ? 'permanent' : 'transient',
    attempts: Number.isFinite(attempts) && attempts > 0 ? attempts : 1,
    error,
    firstFailedAt: first && !Number.isNaN(first.getTime()) ? first : null,
    targetTopic: headers['target-topic'] ?? null,
    history: readFailureHistory(headers.failures),
    previousDelayMs: delay !== undefined && Number.isSafeInteger(delay) && delay >= 0 ? delay : undefined,
  };
}

/**
 * The notification a failed record belongs to, when its payload is a channel message or a request
 * with a valid id. Anything else (a status event, a producer's bad id) gets no status event: one
 * that the projection could not store would only come back here.
 */
export interface Subject {
  notificationId: string;
  channel: 'EMAIL' | 'SMS' | 'PUSH' | null;
  /** When the message stops being worth sending (epoch ms). */
  expiresAt: number | null;
}

const expiry = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function subjectOf(decoded: unknown): Subject | null {
  if (typeof decoded !== 'object' || decoded === null) return null;
  const r = decoded as Record<string, unknown>;
  if (
    typeof r.notificationId === 'string' &&
    typeof r.address === 'string' &&
    typeof r.channel === 'string'
  ) {
    if (!UUID.test(r.notificationId)) return null;
    const channel = r.channel === 'EMAIL' || r.channel === 'SMS' || r.channel === 'PUSH' ? r.channel : null;
    return { notificationId: r.notificationId, channel, expiresAt: expiry(r.expiresAt) };
  }
  if (typeof r.id === 'string' && typeof r.userId === 'string' && UUID.test(r.id)) {
    return { notificationId: r.id, channel: null, expiresAt: expiry(r.expiresAt) };
  }
  return null;
}
