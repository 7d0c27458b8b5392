import type { Redis } from '@herald/shared';
import type { IdempotencyRecord } from '../domain/idempotency';

export interface IdempotencyStore {
  /** Claims the key for this request; returns the record already there if the key was taken. */
  claim(key: string, record: IdempotencyRecord): Promise<IdempotencyRecord | null>;
  /** Compare-and-set: replaces `expected` with `next`; false if the record changed meanwhile. */
  replace(key: string, expected: IdempotencyRecord, next: IdempotencyRecord): Promise<boolean>;
  save(key: string, record: IdempotencyRecord): Promise<void>;
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
    async claim(key, record) {
      const ok = await redis.set(k(key), JSON.stringify(record), 'EX', ttlSeconds, 'NX');
      if (ok === 'OK') return null;
      const existing = await redis.get(k(key));
      // Expired between SET and GET: treat it as a request still running; the client retries.
      return existing ? (JSON.parse(existing) as IdempotencyRecord) : { ...record, state: 'pending' };
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
