import Redis from 'ioredis';
import type { ReadinessCheck } from './ops-server';

export type { Redis };

export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
}

export function redisReadiness(redis: Redis): ReadinessCheck {
  return { name: 'redis', check: async () => (await redis.ping()) === 'PONG' };
}
