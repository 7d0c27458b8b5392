import type { Redis } from 'ioredis';

/** Where dispatchers remember what a provider already accepted. */
export interface DeliveryKeyStore {
  sentAs(key: string): Promise<string | null>;
  markSent(key: string, providerMessageId: string): Promise<void>;
}

const SEVEN_DAYS_S = 7 * 24 * 3600;

export function redisDeliveryKeys(redis: Redis, ttlSeconds = SEVEN_DAYS_S): DeliveryKeyStore {
  return {
    sentAs: (key) => redis.get(key),
    async markSent(key, providerMessageId) {
      await redis.set(key, providerMessageId, 'EX', ttlSeconds);
    },
  };
}
