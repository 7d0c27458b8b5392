import { createRuntime } from '@herald/shared';
import type { BaseRuntime } from '@herald/shared';
import { testEnv } from '@herald/test-support';

const config = {
  KAFKA_BROKERS: testEnv.brokers,
  SCHEMA_REGISTRY_URL: testEnv.registryUrl,
  REDIS_URL: testEnv.redisUrl,
  DATABASE_URL: testEnv.databaseUrl,
  LOG_LEVEL: 'silent',
  TOPIC_PREFIX: '',
  KAFKA_SESSION_TIMEOUT_MS: 10_000,
  KAFKA_PUBLISH_LINGER_MS: 0,
  KAFKA_PUBLISH_PRODUCERS: 1,
};

async function close(rt: BaseRuntime) {
  await rt.publisher.disconnect();
  await rt.admin.disconnect();
  await rt.pool?.end();
  await rt.redis?.quit();
}

describe('createRuntime', () => {
  it('builds and checks only the stores a service uses', async () => {
    // Unreachable stores: a service that does not use them must not notice.
    const kafkaOnly = await createRuntime(
      't',
      { ...config, REDIS_URL: 'redis://127.0.0.1:9/0', DATABASE_URL: 'postgres://127.0.0.1:9/x' },
      {},
    );
    try {
      expect(kafkaOnly.pool).toBeUndefined();
      expect(kafkaOnly.redis).toBeUndefined();
      expect(kafkaOnly.readiness.checks.map((c) => c.name)).toEqual(['kafka', 'schema-registry']);
      for (const c of kafkaOnly.readiness.checks) expect(await c.check()).toBe(true);
    } finally {
      await close(kafkaOnly);
    }
    const all = await createRuntime('t', config, { postgres: true, redis: true });
    try {
      expect(all.readiness.checks.map((c) => c.name)).toEqual([
        'kafka',
        'schema-registry',
        'redis',
        'postgres',
      ]);
      for (const c of all.readiness.checks) expect(await c.check()).toBe(true);
    } finally {
      await close(all);
    }
  });
});
