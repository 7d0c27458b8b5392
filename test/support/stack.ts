import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createApiKey, createPool, deleteTopics, provision, topicSpecs } from '@herald/shared';
import { createSandbox, sendGridWebhookPublicKey } from '@herald/provider-sandbox';
import { testEnv } from './env';
import { deleteSubjects, silentLog, testKafka, uniquePrefix, waitFor } from './infra';
import { startPostgresProxy } from './pg-proxy';
import { freePort, listenOnLoopback } from './senders';

const ROOT = path.resolve(__dirname, '..', '..');

/** What the stack's ingest and email dispatcher sign and check unsubscribe tokens with. */
export const TEST_UNSUBSCRIBE_SECRET = 'test-only-unsubscribe-secret-0123456789';

/** The six services, in start order. */
export const SERVICES = [
  'ingest',
  'router',
  'dispatcher-email',
  'dispatcher-sms',
  'dispatcher-push',
  'dlq',
] as const;
export type ServiceName = (typeof SERVICES)[number];

interface Proc {
  name: ServiceName;
  /** The service's name, or `<name>#<n>` for a replica started with addReplica. */
  instance: string;
  port: number;
  child: ChildProcess;
  output: string[];
  exit: Promise<number | null>;
}

export interface StackOptions {
  /** The services reach Postgres through a TCP proxy, so a test can cut them off (postgresOutage). */
  postgresProxy?: boolean;
  /** Settings for every service (a retry policy the test can wait out, say). */
  env?: Record<string, string>;
  /** The sandbox also takes SMTP, and the email dispatcher fails over to it (`SMTP_URL`). */
  smtp?: boolean;
}

/**
 * The six services as real processes (built JavaScript from dist/), on their own topics (a unique
 * prefix), their own database and free ports, with the provider sandbox in this process so tests
 * can read what it received and inject faults. `only` starts a subset (the HTTP APIs, say).
 */
export async function startStack(
  label: string,
  only: readonly ServiceName[] = SERVICES,
  opts: StackOptions = {},
) {
  for (const s of only) {
    if (!existsSync(path.join(ROOT, 'services', s, 'dist', 'main.js'))) {
      throw new Error(`services/${s}/dist/main.js is missing: run \`pnpm build\` (./dev test does) first`);
    }
  }
  const prefix = uniquePrefix(label);
  const database = `herald_${prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 60);
  const databaseUrl = testEnv.postgresUrl(database);
  await provision({
    brokers: testEnv.brokers,
    registryUrl: testEnv.registryUrl,
    databaseUrl,
    topicPrefix: prefix,
    replicationFactor: 1,
    log: silentLog,
  });

  // Known before ingest starts: the email dispatcher's unsubscribe links, Twilio's callbacks and the
  // sandbox's SendGrid events go to it.
  const ingestPort = await freePort();
  // Requests the sandbox is holding (injected latency): lets a test act while a send is in flight.
  let inFlight = 0;
  const sandbox = createSandbox({
    sendgridWebhookUrl: `http://127.0.0.1:${ingestPort}/v1/webhooks/sendgrid`,
    sleep: async (ms) => {
      inFlight++;
      try {
        await new Promise((r) => setTimeout(r, ms));
      } finally {
        inFlight--;
      }
    },
  });
  const sandboxUrl = await listenOnLoopback(sandbox.app);
  const smtp = opts.smtp ? await sandbox.smtp.listen(0) : null;
  const proxy = opts.postgresProxy
    ? await startPostgresProxy(databaseUrl, testEnv.postgresUrl('postgres'))
    : undefined;

  const common: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    KAFKA_BROKERS: testEnv.brokers.join(','),
    SCHEMA_REGISTRY_URL: testEnv.registryUrl,
    REDIS_URL: testEnv.redisUrl,
    DATABASE_URL: proxy?.url ?? databaseUrl,
    TOPIC_PREFIX: prefix,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    HTTP_HOST: '127.0.0.1',
    // The broker's minimum: a killed service's partitions move on quickly.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    // Longer than the longest send the tests hold (5 s), shorter than the 30 s default: a killed
    // dispatcher's claims run out quickly.
    DISPATCH_CLAIM_LEASE_MS: '8000',
    SENDGRID_API_KEY: 'SG.e2e',
    SENDGRID_FROM_EMAIL: 'notifications@herald.test',
    SENDGRID_BASE_URL: sandboxUrl,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: 'e2e',
    TWILIO_FROM: '+15005550006',
    TWILIO_SANDBOX_URL: sandboxUrl,
    FCM_PROJECT_ID: 'herald-e2e',
    FCM_SANDBOX_URL: sandboxUrl,
    PUBLIC_BASE_URL: `http://127.0.0.1:${ingestPort}`,
    UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
    SENDGRID_WEBHOOK_PUBLIC_KEY: sendGridWebhookPublicKey(sandbox),
    ...(smtp ? { SMTP_URL: `smtp://herald:e2e@127.0.0.1:${smtp.port}` } : {}),
    ...opts.env,
  };

  /** Every process, by instance: the service's name, or `<name>#<n>` for a replica. */
  const procs = new Map<string, Proc>();
  const start = async (name: ServiceName, instance: string = name): Promise<Proc> => {
    const port = procs.get(instance)?.port ?? (instance === 'ingest' ? ingestPort : await freePort());
    const child = spawn(process.execPath, [path.join(ROOT, 'services', name, 'dist', 'main.js')], {
      cwd: ROOT,
      env: { ...common, HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (b: Buffer) => {
      output.push(b.toString());
      if (output.length > 200) output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const proc = { name, instance, port, child, output, exit };
    procs.set(instance, proc);
    return proc;
  };
  const ready = (p: Proc) =>
    waitFor(
      `${p.instance} ready on :${p.port}`,
      async () => {
        if (p.child.exitCode !== null)
          throw new Error(`${p.instance} exited (${p.child.exitCode}): ${p.output.join('').slice(-2000)}`);
        const res = await fetch(`http://127.0.0.1:${p.port}/readyz`);
        return res.status === 200;
      },
      60_000,
      200,
    );

  const started = await Promise.all(only.map((name) => start(name)));
  await Promise.all(started.map(ready));

  const pool = createPool(databaseUrl, 2);
  const apiKey = await createApiKey(pool, 'e2e', ['send', 'admin']);
  const url = (name: ServiceName, p: string) => `http://127.0.0.1:${procs.get(name)?.port}${p}`;

  return {
    prefix,
    /** The stack's settings, as every service got them. */
    env: common,
    sandbox,
    sandboxInFlight: () => inFlight,
    pool,
    apiKey,
    url,
    async api(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(url('ingest', p), {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    /** SIGTERM (or SIGKILL) one service and wait for it to exit; resolves with its exit code. */
    async stopService(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
      const p = procs.get(name);
      if (!p || p.child.exitCode !== null) return p?.child.exitCode ?? null;
      p.child.kill(signal);
      return p.exit;
    },
    async restartService(name: ServiceName): Promise<void> {
      await ready(await start(name));
    },
    /**
     * Starts one more process of a service, as `kubectl scale` would: same settings, its own port.
     * Resolves once it is ready, with its base URL; stop() stops it with the rest.
     */
    async addReplica(name: ServiceName): Promise<{ instance: string; url: (p: string) => string }> {
      const n = [...procs.values()].filter((p) => p.name === name).length + 1;
      const proc = await start(name, `${name}#${n}`);
      await ready(proc);
      return { instance: proc.instance, url: (p: string) => `http://127.0.0.1:${proc.port}${p}` };
    },
    /** How a service's process ended (exit code or signal), or null while it runs. */
    exitStatus(name: ServiceName): { code: number | null; signal: NodeJS.Signals | null } | null {
      const child = procs.get(name)?.child;
      if (!child || (child.exitCode === null && child.signalCode === null)) return null;
      return { code: child.exitCode, signal: child.signalCode };
    },
    /** Cuts the services off Postgres as a restart would (see PostgresProxy.outage); needs `postgresProxy`. */
    postgresOutage(ms: number) {
      if (!proxy) throw new Error('postgresOutage needs startStack(..., { postgresProxy: true })');
      return proxy.outage(ms);
    },
    /** Stops every service gracefully and returns their exit codes; removes topics and database. */
    async stop(): Promise<Record<string, number | null>> {
      const codes: Record<string, number | null> = {};
      await Promise.all(
        [...procs.values()].map(async (p) => {
          if (p.child.exitCode === null) p.child.kill('SIGTERM');
          codes[p.instance] = await p.exit;
        }),
      );
      await proxy?.close();
      await pool.end();
      await sandbox.app.close();
      await deleteTopics(
        testKafka(),
        topicSpecs(prefix).map((s) => s.topic),
      ).catch(() => undefined);
      await deleteSubjects(prefix).catch(() => undefined);
      const admin = new pg.Client({ connectionString: testEnv.postgresUrl('postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).finally(() => admin.end());
      return codes;
    },
    output: (name: ServiceName) => procs.get(name)?.output.join('') ?? '',
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
