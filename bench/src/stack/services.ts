import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { createKafka, createPool, deleteTopics, provision, topicNames, topicSpecs } from '@herald/shared';
import type { Kafka, Logger, TopicNames } from '@herald/shared';
import type { BenchEnv } from '../config';
import type { Watched } from '../procstat';
import { spawnNode, stopChild, waitFor } from './processes';
import type { Child } from './processes';

export const SERVICES = [
  'ingest',
  'router',
  'dispatcher-email',
  'dispatcher-sms',
  'dispatcher-push',
  'dlq',
] as const;
export type ServiceName = (typeof SERVICES)[number];

export const silentLog: Logger = pino({ level: 'silent' });

/** A prefix of its own per scenario and run: its topics, consumer groups, subjects and database. */
export function isolatedNames(label: string): { prefix: string; database: string } {
  const prefix = `bench-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.`;
  return { prefix, database: `herald_${prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 60) };
}

export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Removes the registry subjects of a prefix (soft, then permanent delete). */
export async function deleteSubjects(registryUrl: string, prefix: string): Promise<void> {
  const base = registryUrl.replace(/\/$/, '');
  const res = await fetch(`${base}/subjects`);
  if (!res.ok) return;
  const subjects = ((await res.json()) as string[]).filter((s) => s.startsWith(prefix));
  for (const s of subjects) {
    const url = `${base}/subjects/${encodeURIComponent(s)}`;
    await fetch(url, { method: 'DELETE' });
    await fetch(`${url}?permanent=true`, { method: 'DELETE' });
  }
}

export async function dropDatabase(postgresUrl: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** One process to run: `name` in logs and tables, `service` the package, `env` its own settings. */
export interface ServiceInstance {
  name: string;
  service: ServiceName;
  env?: Record<string, string>;
}

export interface ServiceStack {
  prefix: string;
  database: string;
  topics: TopicNames;
  kafka: Kafka;
  pool: pg.Pool;
  /** The HTTP port of a started instance, by name. */
  port(name: string): number | undefined;
  /** The started instances, to watch. */
  processes(): Watched[];
  /** Stops the services; removes topics, subjects and database. Exit codes by instance. */
  stop(): Promise<Record<string, number | null>>;
}

/**
 * Some of Herald's services as processes from dist/, on a prefix, database and free ports of their
 * own (provisioned as the tests do), each ready (`/readyz`) before this resolves. `env` is added to
 * every instance's environment (the sandbox's URLs, say).
 */
export async function startServices(opts: {
  label: string;
  root: string;
  env: BenchEnv;
  logDir: string;
  instances: readonly ServiceInstance[];
  serviceEnv?: Record<string, string>;
}): Promise<ServiceStack> {
  for (const s of new Set(opts.instances.map((i) => i.service))) {
    if (!existsSync(path.join(opts.root, 'services', s, 'dist', 'main.js')))
      throw new Error(`services/${s}/dist/main.js is missing: run \`pnpm build\` first`);
  }
  const { env } = opts;
  const { prefix, database } = isolatedNames(opts.label);
  const dbUrl = databaseUrl(env.postgresUrl, database);
  const logDir = path.join(opts.logDir, opts.label);
  mkdirSync(logDir, { recursive: true });
  const kafka = createKafka({ brokers: env.brokers, clientId: 'herald-bench', log: silentLog });
  const cleanup = async () => {
    await deleteTopics(
      kafka,
      topicSpecs(prefix).map((s) => s.topic),
    ).catch(() => undefined);
    await deleteSubjects(env.registryUrl, prefix).catch(() => undefined);
    await dropDatabase(env.postgresUrl, database).catch(() => undefined);
  };
  try {
    await provision({
      brokers: env.brokers,
      registryUrl: env.registryUrl,
      databaseUrl: dbUrl,
      topicPrefix: prefix,
      replicationFactor: 1,
      log: silentLog,
    });
  } catch (err) {
    await cleanup();
    throw err;
  }

  const common: Record<string, string> = {
    PATH: env.path,
    KAFKA_BROKERS: env.brokers.join(','),
    SCHEMA_REGISTRY_URL: env.registryUrl,
    REDIS_URL: env.redisUrl,
    DATABASE_URL: dbUrl,
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: env.logLevel,
    HTTP_HOST: '127.0.0.1',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    ...opts.serviceEnv,
    ...env.serviceEnv,
  };
  const procs = new Map<string, Child & { port: number }>();
  for (const { name, service, env: own } of opts.instances) {
    const port = await freePort();
    const child = spawnNode(name, path.join(opts.root, 'services', service, 'dist', 'main.js'), {
      env: { ...common, HTTP_PORT: String(port), ...own },
      // Written when the service exits (the stack stops it with SIGTERM): open in Chrome's DevTools.
      ...(env.cpuProfile
        ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${path.join(logDir, 'profiles')}`] }
        : {}),
      cwd: opts.root,
      logFile: path.join(logDir, `${name.replace(/ \((\w+)\)$/, '-$1')}.log`),
    });
    procs.set(name, { ...child, port });
  }
  const stopAll = async () => {
    const codes: Record<string, number | null> = {};
    await Promise.all([...procs.values()].map(async (p) => (codes[p.name] = await stopChild(p))));
    return codes;
  };
  try {
    await Promise.all(
      [...procs.values()].map((p) =>
        waitFor(
          `${p.name} ready on :${p.port}`,
          async () => {
            if (p.child.exitCode !== null)
              throw new Error(`${p.name} exited (${p.child.exitCode}), see ${p.logFile}`);
            return (await fetch(`http://127.0.0.1:${p.port}/readyz`)).status === 200;
          },
          120_000,
        ),
      ),
    );
  } catch (err) {
    await stopAll();
    await cleanup();
    throw err;
  }

  const pool = createPool(dbUrl, 4);
  return {
    prefix,
    database,
    topics: topicNames(prefix),
    kafka,
    pool,
    port: (name) => procs.get(name)?.port,
    processes: () => [...procs.values()].map((p) => ({ name: p.name, pid: p.pid })),
    async stop() {
      const codes = await stopAll();
      await pool.end();
      await cleanup();
      return codes;
    },
  };
}
