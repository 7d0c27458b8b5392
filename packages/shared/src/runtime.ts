import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Admin, Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { onShutdown } from './lifecycle';
import type { ShutdownStep } from './lifecycle';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { createRegistry, metricsFor } from './metrics';
import { registerOpsRoutes } from './ops-server';
import { registerBodyHandling } from './http/body';
import { clientErrorHandler } from './http/client-errors';
import { frameworkErrors } from './http/errors';
import type { Readiness } from './ops-server';
import { createPool, pgReadiness } from './pg';
import { createRedis, redisReadiness } from './redis';
import { createKafka, createProducer } from './kafka/client';
import { createCodec } from './kafka/codec';
import type { Codec } from './kafka/codec';
import { createPublisher } from './kafka/publisher';
import type { ManagedPublisher } from './kafka/publisher';
import type { ConsumerOptions, RunningConsumers } from './kafka/consumer';
import type { LagReporter } from './kafka/lag';
import { topicNames } from './kafka/topics';
import type { TopicNames } from './kafka/topics';

export interface InfraConfig {
  KAFKA_BROKERS: string[];
  SCHEMA_REGISTRY_URL: string;
  REDIS_URL: string;
  DATABASE_URL: string;
  LOG_LEVEL: string;
  TOPIC_PREFIX: string;
  KAFKA_SESSION_TIMEOUT_MS: number;
  KAFKA_PUBLISH_LINGER_MS: number;
  KAFKA_PUBLISH_PRODUCERS: number;
}

/** The stores a service reaches besides Kafka and the schema registry (which every service uses). */
export interface Uses {
  postgres?: true;
  redis?: true;
}

/** The clients every service holds: built once in main.ts and passed down. */
export interface BaseRuntime {
  service: string;
  log: Logger;
  registry: Registry;
  kafka: Kafka;
  admin: Admin;
  codec: Codec;
  publisher: ManagedPublisher;
  topics: TopicNames;
  /** Options every consumer group of this process is created with. */
  consumerOptions: ConsumerOptions;
  /** Ends the process through the shutdown path with a non-zero exit (a consumer that cannot go on). */
  fatal(err: Error): void;
  /** Where this process's consumers report their lag. */
  lag: LagReporter;
  readiness: Readiness;
  /** Present only when the service asked for them. */
  redis?: Redis;
  pool?: pg.Pool;
}

/** A runtime with exactly the stores asked for: a service cannot reach, or wait on, one it never uses. */
export type Runtime<U extends Uses = Uses> = BaseRuntime &
  (U['postgres'] extends true ? { pool: pg.Pool } : unknown) &
  (U['redis'] extends true ? { redis: Redis } : unknown);

export async function createRuntime<U extends Uses>(
  service: string,
  config: InfraConfig,
  uses: U,
): Promise<Runtime<U>> {
  const log = createLogger(service, config.LOG_LEVEL);
  const registry = createRegistry(service);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `herald-${service}`, log });
  const admin = kafka.admin();
  const codec = createCodec(config.SCHEMA_REGISTRY_URL);
  const publisher = createPublisher(() => createProducer(kafka), codec, {
    lingerMs: config.KAFKA_PUBLISH_LINGER_MS,
    producers: config.KAFKA_PUBLISH_PRODUCERS,
  });
  const checks = [
    // A metadata round trip: the producer's own state does not notice a broker going away.
    { name: 'kafka', check: async () => (await admin.describeCluster()).brokers.length > 0 },
    codec.readiness(),
  ];
  const stores: { redis?: Redis; pool?: pg.Pool } = {};
  if (uses.redis) {
    const redis = createRedis(config.REDIS_URL);
    redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
    checks.push(redisReadiness(redis));
    stores.redis = redis;
  }
  if (uses.postgres) {
    const pool = createPool(config.DATABASE_URL, 10, log);
    checks.push(pgReadiness(pool));
    stores.pool = pool;
  }
  await publisher.connect();
  await admin.connect();
  let fatalCalled = false;
  const rt: BaseRuntime = {
    service,
    log,
    registry,
    kafka,
    codec,
    publisher,
    topics: topicNames(config.TOPIC_PREFIX),
    consumerOptions: {
      sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.max(1000, Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 10)),
    },
    fatal(err) {
      // Once: several lane consumers may crash for the same cause.
      if (fatalCalled) return;
      fatalCalled = true;
      log.fatal({ err }, 'cannot go on, stopping');
      process.exitCode = 1;
      // The shutdown path drains what is in flight; before it is installed there is nothing to drain.
      if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM');
      else process.exit(1);
    },
    admin,
    lag: { admin, gauge: metricsFor.consumerLag(registry), intervalMs: 15_000, log },
    readiness: { draining: false, checks },
    ...stores,
  };
  return rt as Runtime<U>;
}

/** A Fastify server with /healthz, /readyz and /metrics; services with an API add their routes. */
export function buildOpsServer(
  rt: Pick<Runtime, 'registry' | 'readiness'>,
  opts: { bodyLimit?: number } = {},
): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const app = Fastify({
    logger: false,
    bodyLimit,
    clientErrorHandler,
    frameworkErrors,
    // A request (headers and body) must arrive within this; node checks every 30 s, then answers 408.
    requestTimeout: 30_000,
    // Long ids (device tokens) reach the routes' own validation, which names the field.
    routerOptions: { maxParamLength: 16 * 1024 },
  });
  registerBodyHandling(app, { bodyLimit });
  registerOpsRoutes(app, { registry: rt.registry, readiness: rt.readiness });
  return app;
}

/**
 * Stops in the order CONVENTIONS.md fixes: readiness false → stop fetching, drain in-flight and
 * commit (consumer disconnect) → close the HTTP server → close the producer → close pg and redis.
 */
export function installShutdown(
  rt: BaseRuntime,
  parts: { consumers: Pick<RunningConsumers, 'stop'>[]; http: FastifyInstance; extra?: ShutdownStep[] },
): void {
  onShutdown(rt.log, [
    { name: 'readiness', run: () => Promise.resolve(void (rt.readiness.draining = true)) },
    { name: 'consumers', run: async () => void (await Promise.all(parts.consumers.map((c) => c.stop()))) },
    ...(parts.extra ?? []),
    { name: 'http', run: () => parts.http.close() },
    { name: 'producer', run: () => rt.publisher.disconnect() },
    { name: 'kafka-admin', run: () => rt.admin.disconnect() },
    ...(rt.pool ? [{ name: 'postgres', run: () => (rt.pool as pg.Pool).end() }] : []),
    ...(rt.redis ? [{ name: 'redis', run: async () => void (await (rt.redis as Redis).quit()) }] : []),
  ]);
}
