import { createHash } from 'node:crypto';

/** What Redis holds for an Idempotency-Key: the request's hash, the id it was given, and when. */
export interface IdempotencyRecord {
  state: 'pending' | 'failed' | 'done';
  requestHash: string;
  notificationId: string;
  /** Epoch ms of the last state change. */
  at: number;
}

export type IdempotencyOutcome =
  | { kind: 'replay'; notificationId: string }
  | { kind: 'resume'; notificationId: string }
  | { kind: 'in_progress' }
  | { kind: 'conflict' };

/** How long a request may hold its key before a retry may take it over (longer than a publish may take). */
export const IDEMPOTENCY_LEASE_MS = 30_000;

/**
 * A key seen before. The same request gets the first answer again; a different request under the
 * same key is a client bug (422); a request still running is 409 (retry later). A request that
 * failed, or whose process died holding the key, is resumed under the same notification id, so if
 * the first attempt reached Kafka after all, delivery keys keep the user from getting it twice.
 */
export function idempotencyOutcome(
  existing: IdempotencyRecord,
  requestHash: string,
  now: number,
  leaseMs = IDEMPOTENCY_LEASE_MS,
): IdempotencyOutcome {
  if (existing.requestHash !== requestHash) return { kind: 'conflict' };
  switch (existing.state) {
    case 'done':
      return { kind: 'replay', notificationId: existing.notificationId };
    case 'failed':
      return { kind: 'resume', notificationId: existing.notificationId };
    case 'pending':
      return now - existing.at < leaseMs
        ? { kind: 'in_progress' }
        : { kind: 'resume', notificationId: existing.notificationId };
  }
}

/** Canonical hash of the body: the same JSON in another key order is the same request. */
export function hashRequest(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}
