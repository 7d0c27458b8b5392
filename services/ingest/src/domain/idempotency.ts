/** What Redis holds for an Idempotency-Key: the request's hash and the id it was given. */
export interface IdempotencyRecord {
  state: 'pending' | 'done';
  requestHash: string;
  notificationId: string;
}

export type IdempotencyOutcome =
  { kind: 'replay'; notificationId: string } | { kind: 'in_progress' } | { kind: 'conflict' };

/**
 * A key seen before: the same request gets the first answer again; a different request under the
 * same key is a client bug (422); the first request still running is 409 (retry later).
 */
export function idempotencyOutcome(existing: IdempotencyRecord, requestHash: string): IdempotencyOutcome {
  if (existing.requestHash !== requestHash) return { kind: 'conflict' };
  if (existing.state === 'pending') return { kind: 'in_progress' };
  return { kind: 'replay', notificationId: existing.notificationId };
}
