import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import {
  createApiKey,
  createKafka,
  createPool,
  deleteTopics,
  provision,
  topicNames,
  topicSpecs,
} from '@herald/shared';
import type { Kafka, Logger, TopicNames } from '@herald/shared';
import type { BenchEnv, Layout } from '../config';
import { spawnNode, stopChild, waitFor } from './processes';
import type { Child } from './processes';
import { startSandbox } from './sandbox';
import type { SandboxProcess } from './sandbox';

export const SERVICES = [
  'ingest',
  'router',
  'dispatcher-email',
  'dispatcher-sms',
  'dispatcher-push',
  'dlq',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Services that consume priority lanes, and so can leave critical to a replica of its own. */
const LANED: readonly ServiceName[] = ['router', 'dispatcher-email', 'dispatcher-sms', 'dispatcher-push'];

/**
 * `single`: one process per service, every lane in it. `split`: the laned services run twice, a
 * replica for `critical` alone and one for the other lanes (CONSUMER_LANES), as an operator who
 * wants critical untouched by backlogs would deploy them.
 */
export type StackLayout = Layout;

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

export interface HeraldStack {
  prefix: string;
  database: string;
  topics: TopicNames;
  kafka: Kafka;
  pool: pg.Pool;
  apiKey: string;
  sandbox: SandboxProcess;
  ingestUrl: string;
  /** The processes to watch: the six services and the sandbox. */
  processes(): { name: string; pid: number }[];
  /** Stops the services and the sandbox; removes topics, subjects and database. Exit codes by service. */
  stop(): Promise<Record<string, number | null>>;
}

/**
 * The six services as processes from dist/ on their own prefix, database and free ports, and the
 * provider sandbox as a seventh process, as test/support/stack.ts does for the end-to-end tests.
 */
export async function startHerald(opts: {
  label: string;
  root: string;
  env: BenchEnv;
  logDir: string;
  layout?: StackLayout;
}): Promise<HeraldStack> {
  for (const s of SERVICES) {
    if (!existsSync(path.join(opts.root, 'services', s, 'dist', 'main.js')))
      throw new Error(`services/${s}/dist/main.js is missing: run \`pnpm build\` first`);
  }
  const { env } = opts;
  const { prefix, database } = isolatedNames(opts.label);
  const dbUrl = databaseUrl(env.postgresUrl, database);
  const logDir = path.join(opts.logDir, opts.label);
  mkdirSync(logDir, { recursive: true });
  await provision({
    brokers: env.brokers,
    registryUrl: env.registryUrl,
    databaseUrl: dbUrl,
    topicPrefix: prefix,
    replicationFactor: 1,
    log: silentLog,
  });

  const base: Record<string, string> = { PATH: env.path };
  const sandbox = await startSandbox({ root: opts.root, port: await freePort(), logDir, env: base });
  const common: Record<string, string> = {
    ...base,
    KAFKA_BROKERS: env.brokers.join(','),
    SCHEMA_REGISTRY_URL: env.registryUrl,
    REDIS_URL: env.redisUrl,
    DATABASE_URL: dbUrl,
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: env.logLevel,
    HTTP_HOST: '127.0.0.1',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    SENDGRID_API_KEY: 'SG.bench',
    SENDGRID_FROM_EMAIL: 'notifications@herald.test',
    SENDGRID_BASE_URL: sandbox.url,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: 'bench',
    TWILIO_FROM: '+15005550006',
    TWILIO_SANDBOX_URL: sandbox.url,
    FCM_PROJECT_ID: 'herald-bench',
    FCM_SANDBOX_URL: sandbox.url,
    ...env.serviceEnv,
  };

  type Instance = { name: string; service: ServiceName; lanes?: string };
  const instances = SERVICES.flatMap((service): Instance[] =>
    opts.layout === 'split' && LANED.includes(service)
      ? [
          { name: service, service, lanes: 'high,normal,low' },
          { name: `${service} (critical)`, service, lanes: 'critical' },
        ]
      : [{ name: service, service }],
  );
  const procs = new Map<string, Child & { port: number }>();
  for (const { name, service, lanes } of instances) {
    const port = await freePort();
    const child = spawnNode(name, path.join(opts.root, 'services', service, 'dist', 'main.js'), {
      env: { ...common, HTTP_PORT: String(port), ...(lanes ? { CONSUMER_LANES: lanes } : {}) },
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
    await sandbox.stop();
    return codes;
  };
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
  const apiKey = await createApiKey(pool, 'bench', ['send']);
  return {
    prefix,
    database,
    topics: topicNames(prefix),
    kafka,
    pool,
    apiKey,
    sandbox,
    ingestUrl: `http://127.0.0.1:${procs.get('ingest')?.port}`,
    processes: () => [
      ...[...procs.values()].map((p) => ({ name: p.name, pid: p.pid })),
      { name: 'sandbox', pid: sandbox.proc.pid },
    ],
    async stop() {
      const codes = await stopAll();
      await pool.end();
      await cleanup();
      return codes;
    },
  };
}
