import type { Redis } from '@herald/shared';
import type { IdempotencyRecord } from '../domain/idempotency';

export interface IdempotencyStore {
  /** Claims the key for this request; returns the record already there if the key was taken. */
  claim(key: string, record: IdempotencyRecord): Promise<IdempotencyRecord | null>;
  save(key: string, record: IdempotencyRecord): Promise<void>;
}

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
    async save(key, record) {
      await redis.set(k(key), JSON.stringify(record), 'EX', ttlSeconds);
    },
  };
}
