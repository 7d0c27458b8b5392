import {
  PRIORITIES,
  parseConfig,
  parseTiers,
  provisionConfigSchema,
  topicNames,
  topicSpecs,
} from '@herald/shared';
import type { Channel } from '@herald/shared';
import { loadConfig as loadSandboxConfig } from '../../packages/provider-sandbox/src/config';
import { loadConfig as loadEmailConfig } from '../../services/dispatcher-email/src/config';
import { loadConfig as loadPushConfig } from '../../services/dispatcher-push/src/config';
import { loadConfig as loadSmsConfig } from '../../services/dispatcher-sms/src/config';
import { loadConfig as loadDlqConfig } from '../../services/dlq/src/config';
import { delayGroups } from '../../services/dlq/src/tiers';
import { loadConfig as loadIngestConfig } from '../../services/ingest/src/config';
import { loadConfig as loadRouterConfig } from '../../services/router/src/config';

/** Herald's deployables and their ports (DESIGN.md §6). */
export const SERVICES = {
  ingest: 8080,
  router: 8082,
  'dispatcher-email': 8083,
  'dispatcher-sms': 8084,
  'dispatcher-push': 8085,
  dlq: 8086,
} as const;
export type Service = keyof typeof SERVICES;

export interface ConsumedGroup {
  group: string;
  topic: string;
  /** The delay tiers: their lag is records waiting until due, which no autoscaler may act on. */
  waitsByDesign?: true;
}

/**
 * The consumer groups each service runs, as its main.ts names them (docs/architecture.md, "Topics
 * and consumer groups"); the delay tiers' from the dlq's own delayGroups.
 */
export function consumerGroups(delayTiers: string): Record<Service, ConsumedGroup[]> {
  const t = topicNames();
  const lane = (p: string) => p.toLowerCase();
  const tiers = parseTiers(delayTiers.split(',').map((s) => s.trim()));
  const dispatcher = (c: Channel) =>
    PRIORITIES.map((p) => ({
      group: t.group(`herald-dispatcher-${c.toLowerCase()}.${lane(p)}`),
      topic: t.channel(c, p),
    }));
  return {
    ingest: [{ group: t.group('herald-ingest-status'), topic: t.status }],
    router: PRIORITIES.map((p) => ({ group: t.group(`herald-router.${lane(p)}`), topic: t.priority(p) })),
    'dispatcher-email': dispatcher('EMAIL'),
    'dispatcher-sms': dispatcher('SMS'),
    'dispatcher-push': dispatcher('PUSH'),
    dlq: [
      { group: t.group('herald-dlq'), topic: t.dlq },
      ...delayGroups(t, tiers, 0).map((g) => ({
        group: g.groupId,
        topic: g.topics[0] ?? '',
        waitsByDesign: true as const,
      })),
    ],
  };
}

/** Partitions of every topic, as provisioning creates them. */
export function partitionCounts(delayTiers: string): Map<string, number> {
  const tiers = delayTiers.split(',').map((s) => s.trim());
  return new Map(topicSpecs('', tiers).map((s) => [s.topic, s.numPartitions]));
}

/**
 * Plausible values for every key of the Secret template, as an operator would create them: enough
 * for each service's configuration schema to judge the rest of its environment.
 */
export const EXAMPLE_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://herald:example@postgres.data.svc:5432/herald',
  REDIS_URL: 'redis://redis.data.svc:6379/0',
  UNSUBSCRIBE_SECRET: 'an-example-secret-of-at-least-32-characters',
  SENDGRID_API_KEY: 'SG.example',
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'example-token',
  FCM_SERVICE_ACCOUNT_JSON: '{"type":"service_account"}',
  SENDGRID_WEBHOOK_PUBLIC_KEY: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE',
  SMTP_URL: 'smtp://herald:example@smtp.example.com:587',
};

/** Runs a loader that reads process.env with exactly `env` in it. */
function withEnv<T>(env: Record<string, string>, load: () => T): T {
  const saved = process.env;
  process.env = { ...env };
  try {
    return load();
  } finally {
    process.env = saved;
  }
}

/** Each deployable's own configuration parser, by its app.kubernetes.io/name. Throws on a bad environment. */
export const CONFIG_LOADERS: Record<string, (env: Record<string, string>) => unknown> = {
  ingest: (env) => withEnv(env, loadIngestConfig),
  router: (env) => withEnv(env, loadRouterConfig),
  'dispatcher-email': (env) => withEnv(env, loadEmailConfig),
  'dispatcher-sms': (env) => withEnv(env, loadSmsConfig),
  'dispatcher-push': (env) => withEnv(env, loadPushConfig),
  dlq: (env) => withEnv(env, loadDlqConfig),
  'herald-provision': (env) => parseConfig(provisionConfigSchema, env),
  'provider-sandbox': (env) => loadSandboxConfig(env),
};
