import type { Redis } from '@herald/shared';
import type { IdempotencyRecord } from '../domain/idempotency';

export interface IdempotencyStore {
  /** Claims the key for this request; returns the record already there if someone else has it. */
  claim(key: string, record: IdempotencyRecord): Promise<IdempotencyRecord | null>;
  complete(key: string, record: IdempotencyRecord): Promise<void>;
  release(key: string): Promise<void>;
}

export function redisIdempotencyStore(redis: Redis, ttlSeconds: number): IdempotencyStore {
  const k = (key: string) => `idem:${key}`;
  return {
    async claim(key, record) {
      const ok = await redis.set(k(key), JSON.stringify(record), 'EX', ttlSeconds, 'NX');
      if (ok === 'OK') return null;
      const existing = await redis.get(k(key));
      // Expired between SET and GET: the claim can be retried by the client.
      return existing ? (JSON.parse(existing) as IdempotencyRecord) : { ...record, state: 'pending' };
    },
    async complete(key, record) {
      await redis.set(k(key), JSON.stringify(record), 'EX', ttlSeconds);
    },
    async release(key) {
      await redis.del(k(key));
    },
  };
}
