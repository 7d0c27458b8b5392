import type { Redis } from '@herald/shared';
import type { IdempotencyLease } from '../domain/idempotency';

/**
 * Idempotency keys of both notification endpoints, in one key space: a key reused on the other
 * endpoint is a different request (its hash differs) and gets 422, as any other body would. So a
 * record read back has the caller's type whenever its hash matches, and only its lease fields are
 * read when it does not.
 */
export interface IdempotencyStore {
  /** Claims the key for this request; returns the record already there if the key was taken. */
  claim<R extends IdempotencyLease>(key: string, record: R): Promise<R | null>;
  /** Compare-and-set: replaces `expected` with `next`; false if the record changed meanwhile. */
  replace<R extends IdempotencyLease>(key: string, expected: R, next: R): Promise<boolean>;
  save<R extends IdempotencyLease>(key: string, record: R): Promise<void>;
}

const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

/** Records are stored as JSON.stringify of the record; a parsed record stringifies back the same. */
export function redisIdempotencyStore(redis: Redis, ttlSeconds: number): IdempotencyStore {
  const k = (key: string) => `idem:${key}`;
  return {
    async claim<R extends IdempotencyLease>(key: string, record: R) {
      const ok = await redis.set(k(key), JSON.stringify(record), 'EX', ttlSeconds, 'NX');
      if (ok === 'OK') return null;
      const existing = await redis.get(k(key));
      // Expired between SET and GET: treat it as a request still running; the client retries.
      return existing ? (JSON.parse(existing) as R) : { ...record, state: 'pending' };
    },
    async replace(key, expected, next) {
      const done = await redis.eval(
        COMPARE_AND_SET,
        1,
        k(key),
        JSON.stringify(expected),
        JSON.stringify(next),
        ttlSeconds,
      );
      return done === 1;
    },
    async save(key, record) {
      await redis.set(k(key), JSON.stringify(record), 'EX', ttlSeconds);
    },
  };
}
