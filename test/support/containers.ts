/**
 * The testcontainers path of the integration harness: Kafka, the schema registry, Postgres and
 * Redis as containers, at the versions the local processes run (infra/pom.xml, the broker settings
 * of infra/kafka/server.properties). It cannot run on a machine without a Docker engine; there it is
 * only type-checked.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import type { EngineAnswer } from './containers-path';
import type { TestAddresses } from './env';

const INFRA = path.resolve(__dirname, '..', '..', 'infra');
/** The throwaway database container's password (it lives as long as one test run). */
const PG_PASSWORD = 'herald-test';

/** A `<property>` of infra/pom.xml, where the local processes' versions are pinned. */
export function pomProperty(name: string): string {
  const pom = readFileSync(path.join(INFRA, 'pom.xml'), 'utf8');
  const value = new RegExp(`<${name.replace(/\./g, '\\.')}>([^<]+)</`).exec(pom)?.[1]?.trim();
  if (!value) throw new Error(`infra/pom.xml has no <${name}>`);
  return value;
}

export function containerImages() {
  return {
    kafka: `apache/kafka:${pomProperty('kafka.version')}`,
    registry: `apicurio/apicurio-registry:${pomProperty('apicurio.version')}`,
    postgres: 'postgres:15',
    redis: 'redis:7',
  };
}

/** Asks testcontainers for a runtime; it rejects within milliseconds where no engine answers. */
export async function probeEngine(timeoutMs = 10_000): Promise<EngineAnswer> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const { containerRuntime: rt } = (await Promise.race([getContainerRuntimeClient(), timeout])).info;
    return { answered: true, runtime: `Docker ${String(rt.serverVersion)} on ${rt.operatingSystem}` };
  } catch (err) {
    return { answered: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The apache/kafka image's environment: infra/kafka/server.properties as KAFKA_* variables, with
 * the container's own listeners. The broker advertises the host port the tests connect to, so it
 * must be known before the start (a fixed binding, not a random one).
 */
export function kafkaEnvironment(advertisedHost: string, hostPort: number): Record<string, string> {
  const props = new Map<string, string>();
  for (const line of readFileSync(path.join(INFRA, 'kafka', 'server.properties'), 'utf8').split('\n')) {
    const m = /^\s*([a-z0-9.]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) props.set(m[1], m[2]);
  }
  props.set('listeners', 'PLAINTEXT://:9092,BROKER://:9094,CONTROLLER://:9093');
  props.set('advertised.listeners', `PLAINTEXT://${advertisedHost}:${hostPort},BROKER://localhost:9094`);
  props.set('listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT');
  props.set('inter.broker.listener.name', 'BROKER');
  props.set('controller.quorum.voters', '1@localhost:9093');
  props.set('log.dirs', '/tmp/kraft-combined-logs');
  return Object.fromEntries([...props].map(([k, v]) => [`KAFKA_${k.toUpperCase().replace(/\./g, '_')}`, v]));
}

async function freeHostPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Where global teardown finds the containers to stop (jest runs setup and teardown in one process). */
export const STOP_KEY = '__heraldIntegrationContainersStop';
type WithStop = typeof globalThis & { [STOP_KEY]?: () => Promise<void> };

export function rememberStop(stop: () => Promise<void>): void {
  (globalThis as WithStop)[STOP_KEY] = stop;
}

/** Stops what startContainers started in this process, if anything. */
export async function stopRemembered(): Promise<void> {
  const g = globalThis as WithStop;
  const stop = g[STOP_KEY];
  delete g[STOP_KEY];
  await stop?.();
}

export interface StartedInfra {
  addresses: TestAddresses;
  images: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the four containers side by side; if one fails, stops the others and says which. */
export async function startContainers(): Promise<StartedInfra> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  const images = containerImages();
  const kafkaPort = await freeHostPort();

  const starting: [string, Promise<StartedTestContainer>][] = [
    [
      'kafka',
      new GenericContainer(images.kafka)
        .withExposedPorts({ container: 9092, host: kafkaPort })
        .withEnvironment(kafkaEnvironment(host, kafkaPort))
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start(),
    ],
    [
      'registry',
      new GenericContainer(images.registry)
        .withExposedPorts(8080)
        // In-memory storage (the image's default); deletes on, as infra/registry.sh has them.
        .withEnvironment({
          APICURIO_REST_DELETION_GROUP_ENABLED: 'true',
          APICURIO_REST_DELETION_ARTIFACT_ENABLED: 'true',
          APICURIO_REST_DELETION_ARTIFACT_VERSION_ENABLED: 'true',
        })
        .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
        .start(),
    ],
    [
      'postgres',
      new PostgreSqlContainer(images.postgres)
        .withDatabase('herald_test')
        .withUsername('postgres')
        .withPassword(PG_PASSWORD)
        .start(),
    ],
    ['redis', new RedisContainer(images.redis).start()],
  ];
  const settled = await Promise.allSettled(starting.map(([, p]) => p));
  const started = new Map<string, StartedTestContainer>();
  const failures: string[] = [];
  settled.forEach((s, i) => {
    const name = starting[i]?.[0] ?? '?';
    if (s.status === 'fulfilled') started.set(name, s.value);
    else failures.push(`${name}: ${s.reason instanceof Error ? s.reason.message : String(s.reason)}`);
  });
  const stop = async () => {
    await Promise.allSettled([...started.values()].map((c) => c.stop()));
  };
  if (failures.length > 0) {
    await stop();
    throw new Error(
      `starting the integration containers failed (${failures.join('; ')}); ` +
        'HERALD_TEST_INFRA=local runs on the local processes instead',
    );
  }
  const at = (name: string, port: number) => {
    const c = started.get(name);
    if (!c) throw new Error(`${name} container missing`);
    return `${c.getHost()}:${c.getMappedPort(port)}`;
  };
  return {
    addresses: {
      brokers: [`${host}:${kafkaPort}`],
      registryUrl: `http://${at('registry', 8080)}/apis/ccompat/v7`,
      redisUrl: `redis://${at('redis', 6379)}/15`,
      databaseUrl: `postgres://postgres:${PG_PASSWORD}@${at('postgres', 5432)}/herald_test`,
    },
    images,
    stop,
  };
}
