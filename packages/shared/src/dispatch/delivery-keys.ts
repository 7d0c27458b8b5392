import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What a dispatcher learns when it claims a delivery before sending. */
export type Claim =
  | { kind: 'claimed'; token: string }
  | { kind: 'sent'; providerMessageId: string }
  /** Another consumer claimed it and has not finished: it may be sending right now. */
  | { kind: 'held' };

/**
 * Where dispatchers remember deliveries (DESIGN.md §2.2). A delivery is claimed with a lease before
 * the provider is called, so after a rebalance the evicted owner (still mid-send) and the new owner
 * never both send; the claim becomes `sent` once the provider accepted, or is released on failure.
 */
export interface DeliveryKeyStore {
  claim(key: string): Promise<Claim>;
  markSent(key: string, providerMessageId: string): Promise<void>;
  /** Gives a claim back (the send failed), only if it is still ours. */
  release(key: string, token: string): Promise<void>;
  /** Restarts the claim's lease if it is still ours; false when it ran out (someone else may hold it). */
  renew(key: string, token: string): Promise<boolean>;
}

const SEVEN_DAYS_S = 7 * 24 * 3600;
const CLAIM = 'claim:';
const SENT = 'sent:';

/** Deletes the key only while it still holds this claim (a lease that ran out may be someone else's). */
const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
/** Extends the lease only while the key still holds this claim. */
const RENEW_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

/** A stored value: `claim:<token>`, `sent:<provider id>`, or (keys written before claims) the bare id. */
export function readDeliveryValue(value: string): Claim {
  if (value.startsWith(CLAIM)) return { kind: 'held' };
  return { kind: 'sent', providerMessageId: value.startsWith(SENT) ? value.slice(SENT.length) : value };
}

/**
 * Redis commands issued in the same turn of the event loop share one pipeline (the client is
 * created with auto-pipelining), so a batch's claims cost a round trip, not one each.
 * `leaseMs` must outlast a send (the provider timeout) with room to spare.
 */
export function redisDeliveryKeys(
  redis: Redis,
  opts: { leaseMs: number; ttlSeconds?: number },
): DeliveryKeyStore {
  const ttl = opts.ttlSeconds ?? SEVEN_DAYS_S;
  return {
    async claim(key) {
      const token = randomUUID();
      const ok = await redis.set(key, `${CLAIM}${token}`, 'PX', opts.leaseMs, 'NX');
      if (ok === 'OK') return { kind: 'claimed', token };
      const value = await redis.get(key);
      // Gone between the two commands (lease ran out, released): whoever tries next claims it.
      return value === null ? { kind: 'held' } : readDeliveryValue(value);
    },
    async markSent(key, providerMessageId) {
      await redis.set(key, `${SENT}${providerMessageId}`, 'EX', ttl);
    },
    async release(key, token) {
      await redis.eval(RELEASE_SCRIPT, 1, key, `${CLAIM}${token}`);
    },
    async renew(key, token) {
      return (await redis.eval(RENEW_SCRIPT, 1, key, `${CLAIM}${token}`, String(opts.leaseMs))) === 1;
    },
  };
}
