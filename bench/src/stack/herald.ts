import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createApiKey } from '@herald/shared';
import type { Kafka, TopicNames } from '@herald/shared';
import type { BenchEnv, Layout } from '../config';
import { startSandbox } from './sandbox';
import type { SandboxProcess } from './sandbox';
import { SERVICES, freePort, startServices } from './services';
import type { ServiceInstance, ServiceName, ServiceStack } from './services';

/** Services that consume priority lanes, and so can leave critical to a replica of its own. */
const LANED: readonly ServiceName[] = ['router', 'dispatcher-email', 'dispatcher-sms', 'dispatcher-push'];

/**
 * `single`: one process per service, every lane in it. `split`: the laned services run twice, a
 * replica for `critical` alone and one for the other lanes (CONSUMER_LANES), as an operator who
 * wants critical untouched by backlogs would deploy them.
 */
export type StackLayout = Layout;

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

/** The dispatchers' provider settings, every provider pointed at the sandbox. */
export function providerEnv(sandboxUrl: string): Record<string, string> {
  return {
    SENDGRID_API_KEY: 'SG.bench',
    SENDGRID_FROM_EMAIL: 'notifications@herald.test',
    SENDGRID_BASE_URL: sandboxUrl,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: 'bench',
    TWILIO_FROM: '+15005550006',
    TWILIO_SANDBOX_URL: sandboxUrl,
    FCM_PROJECT_ID: 'herald-bench',
    FCM_SANDBOX_URL: sandboxUrl,
    // Unsubscribe links are built (and their tokens signed) as in production; none is followed here.
    PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
    UNSUBSCRIBE_SECRET: 'bench-only-unsubscribe-secret-0123456789',
  };
}

function instances(layout: StackLayout | undefined): ServiceInstance[] {
  return SERVICES.flatMap((service): ServiceInstance[] =>
    layout === 'split' && LANED.includes(service)
      ? [
          { name: service, service, env: { CONSUMER_LANES: 'high,normal,low' } },
          { name: `${service} (critical)`, service, env: { CONSUMER_LANES: 'critical' } },
        ]
      : [{ name: service, service }],
  );
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
  const logDir = path.join(opts.logDir, opts.label);
  mkdirSync(logDir, { recursive: true });
  const sandbox = await startSandbox({
    root: opts.root,
    port: await freePort(),
    logDir,
    env: { PATH: opts.env.path },
  });
  let stack: ServiceStack;
  let apiKey: string;
  try {
    stack = await startServices({
      label: opts.label,
      root: opts.root,
      env: opts.env,
      logDir: opts.logDir,
      instances: instances(opts.layout),
      serviceEnv: providerEnv(sandbox.url),
    });
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  try {
    apiKey = await createApiKey(stack.pool, 'bench', ['send']);
  } catch (err) {
    await stack.stop();
    await sandbox.stop();
    throw err;
  }
  return {
    prefix: stack.prefix,
    database: stack.database,
    topics: stack.topics,
    kafka: stack.kafka,
    pool: stack.pool,
    apiKey,
    sandbox,
    ingestUrl: `http://127.0.0.1:${stack.port('ingest')}`,
    processes: () => [...stack.processes(), { name: 'sandbox', pid: sandbox.proc.pid }],
    async stop() {
      const codes = await stack.stop();
      await sandbox.stop();
      return codes;
    },
  };
}
