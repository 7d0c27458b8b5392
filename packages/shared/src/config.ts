import { z } from 'zod';
import { parseTiers } from './domain/delay';
import { PRIORITIES } from './domain/types';
import { TOPIC_PREFIX, TOPIC_PREFIX_HINT } from './domain/validation';
import { DEFAULT_DELAY_TIERS } from './kafka/topics';

/**
 * Parses the environment once, at start. Every problem is listed in one error so an operator fixes
 * them in one go; the result is frozen.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      // The variable, not a path into its parsed value (KAFKA_BROKERS, not KAFKA_BROKERS.0).
      const name = String(issue.path[0] ?? '');
      const missing = issue.code === 'invalid_type' && env[name] === undefined;
      return missing ? `${name} is required` : `${name}: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  return Object.freeze(result.data);
}

/** Building blocks for each service's config schema. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: () => z.url(),
  brokers: () =>
    z
      .string()
      .min(1)
      .transform((s) => s.split(',').map((b) => b.trim()))
      .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port[,host:port...]'))),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /**
   * The priority lanes a consuming service works on: all by default. A replica given only
   * `critical` (and one given the rest) keeps critical work off a process busy with a backlog.
   */
  lanes: () =>
    z
      .string()
      .default(PRIORITIES.join(','))
      .transform((s) => [...new Set(s.split(',').map((p) => p.trim().toUpperCase()))])
      .pipe(
        z
          .array(z.enum(PRIORITIES, { error: `expected a list of ${PRIORITIES.join(', ').toLowerCase()}` }))
          .min(1),
      ),
  /** The delay tiers (DESIGN.md §4), shortest first: provisioning, the router and the dlq must agree. */
  delayTiers: () =>
    z
      .string()
      .default(DEFAULT_DELAY_TIERS.join(','))
      .transform((s, ctx) => {
        try {
          return parseTiers(s.split(',').map((t) => t.trim()));
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      }),
  /** TOPIC_PREFIX: empty in every real deployment; tests set one per pipeline. */
  topicPrefix: () => z.string().regex(TOPIC_PREFIX, TOPIC_PREFIX_HINT).default(''),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};

/** The variables every service needs to reach its infrastructure. */
export const infraEnv = {
  KAFKA_BROKERS: env.brokers(),
  SCHEMA_REGISTRY_URL: env.url(),
  REDIS_URL: env.url(),
  DATABASE_URL: env.url(),
  LOG_LEVEL: env.logLevel(),
  /** Prefixes every topic name, so tests can run isolated pipelines on one broker. */
  TOPIC_PREFIX: env.topicPrefix(),
  /** How long a silent consumer (e.g. a killed pod) keeps its partitions before a rebalance. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(30_000),
  /**
   * How long an idle publisher waits after a publish before sending, to gather more (0: the next
   * turn of the event loop). While a request is in flight, publishes queue for the next one anyway.
   */
  KAFKA_PUBLISH_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(0),
  /** Producers for the lanes below critical; each has one produce request in flight per broker. */
  KAFKA_PUBLISH_PRODUCERS: z.coerce.number().int().min(1).max(8).default(1),
  /** The delay tiers, e.g. `1s,5s,30s,2m,10m,1h`: one topic each, `notify.delay.<tier>`. */
  DELAY_TIERS: env.delayTiers(),
};

/**
 * Ingest's public address, as links in messages use it: HTTPS, except on a loopback host (the dev
 * stack and the tests). No trailing slash.
 */
export function publicBaseUrl() {
  return z
    .url()
    .refine((u) => {
      const url = new URL(u);
      return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    }, 'must be an https:// URL (http:// only on 127.0.0.1 or localhost)')
    .transform((u) => u.replace(/\/+$/, ''));
}

/**
 * What every dispatcher reads besides its provider's credentials (docs/configuration.md):
 * concurrency, lanes, delivery claims, the circuit breaker, the provider's shared rate limit.
 */
export function dispatcherEnv(defaults: { port: number }) {
  return {
    HTTP_PORT: env.port(defaults.port),
    HTTP_HOST: z.string().default('0.0.0.0'),
    /** Provider calls in flight at once, across every lane. */
    DISPATCH_CONCURRENCY: env.positiveInt(200),
    /** The priority lanes this replica sends (docs/architecture.md: a replica for critical alone). */
    CONSUMER_LANES: env.lanes(),
    /** A delivery claim's lease: longer than the provider timeout, so a send in flight keeps it. */
    DISPATCH_CLAIM_LEASE_MS: env.positiveInt(30_000),
    /** Consecutive provider failures that open the circuit. */
    CIRCUIT_FAILURE_THRESHOLD: env.positiveInt(5),
    /** How long an open circuit sends nothing before trial sends. */
    CIRCUIT_COOLDOWN_MS: env.positiveInt(10_000),
    /** Trial sends let through at once while half-open. */
    CIRCUIT_HALF_OPEN_TRIALS: env.positiveInt(3),
    /** Trial successes that close the circuit again. */
    CIRCUIT_SUCCESS_THRESHOLD: env.positiveInt(3),
    /** Messages deferred while the circuit is open come back spread over this long after it may close. */
    DISPATCH_DEFER_SPREAD_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
    /**
     * Sends per second the provider account allows, shared by every replica (a token bucket in
     * Redis); 0 (the default) for none. At least 2 otherwise.
     */
    PROVIDER_RATE_LIMIT: z.coerce
      .number()
      .int()
      .refine((n) => n === 0 || n >= 2, 'expected 0 (no limit) or at least 2 sends per second')
      .default(0),
  };
}

export const provisionConfigSchema = z.object({
  KAFKA_BROKERS: infraEnv.KAFKA_BROKERS,
  SCHEMA_REGISTRY_URL: infraEnv.SCHEMA_REGISTRY_URL,
  DATABASE_URL: infraEnv.DATABASE_URL,
  LOG_LEVEL: infraEnv.LOG_LEVEL,
  TOPIC_PREFIX: infraEnv.TOPIC_PREFIX,
  DELAY_TIERS: infraEnv.DELAY_TIERS,
  KAFKA_REPLICATION_FACTOR: env.positiveInt(1),
});
