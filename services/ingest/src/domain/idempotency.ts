import { createHash } from 'node:crypto';

export type IdempotencyState = 'pending' | 'failed' | 'done';

/** What Redis holds for every Idempotency-Key, whatever answer it keeps: the request's hash, and when. */
export interface IdempotencyLease {
  state: IdempotencyState;
  requestHash: string;
  /** Epoch ms of the last state change. */
  at: number;
}

/** The key of a single notification: the id it was given. */
export interface IdempotencyRecord extends IdempotencyLease {
  notificationId: string;
}

/** What to do with a request whose key is already held. */
export type IdempotencyVerdict = 'replay' | 'resume' | 'in_progress' | 'conflict';

/** How long a request may hold its key before a retry may take it over (longer than a publish may take). */
export const IDEMPOTENCY_LEASE_MS = 30_000;

/**
 * A key seen before. The same request gets the first answer again; a different request under the
 * same key is a client bug (422); a request still running is 409 (retry later). A request that
 * failed, or whose process died holding the key, is resumed under the ids it gave out, so if the
 * first attempt reached Kafka after all, delivery keys keep the user from getting it twice.
 */
export function idempotencyVerdict(
  existing: IdempotencyLease,
  requestHash: string,
  now: number,
  leaseMs = IDEMPOTENCY_LEASE_MS,
): IdempotencyVerdict {
  if (existing.requestHash !== requestHash) return 'conflict';
  switch (existing.state) {
    case 'done':
      return 'replay';
    case 'failed':
      return 'resume';
    case 'pending':
      return now - existing.at < leaseMs ? 'in_progress' : 'resume';
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
