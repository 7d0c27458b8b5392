import { createCodec, createPool, createProducer, createPublisher, createRedis } from '@herald/shared';
import type { Codec, Kafka, ManagedPublisher, Pool, Producer, Redis, TopicNames } from '@herald/shared';
import { testEnv } from './env';
import { isolatedTopics, testKafka } from './infra';

export interface IntegrationDeps {
  prefix: string;
  topics: TopicNames;
  kafka: Kafka;
  producer: Producer;
  codec: Codec;
  publisher: ManagedPublisher;
  pool: Pool;
  redis: Redis;
  close(): Promise<void>;
}

/** Real clients on the integration database and on topics only this test file uses. */
export async function integrationDeps(label: string): Promise<IntegrationDeps> {
  const kafka = testKafka();
  const isolated = await isolatedTopics(kafka, label);
  const producer = createProducer(kafka);
  await producer.connect();
  const codec = createCodec(testEnv.registryUrl);
  const publisher = createPublisher(() => createProducer(kafka), codec);
  await publisher.connect();
  const pool = createPool(testEnv.databaseUrl, 4);
  const redis = createRedis(testEnv.redisUrl);
  return {
    prefix: isolated.prefix,
    topics: isolated.topics,
    kafka,
    producer,
    codec,
    publisher,
    pool,
    redis,
    async close() {
      await producer.disconnect();
      await publisher.disconnect();
      await isolated.cleanup();
      await pool.end();
      await redis.quit();
    },
  };
}
