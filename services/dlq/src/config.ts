import { CHANNELS, DEFAULT_RETRY_POLICY, JITTERS, env, infraEnv, parseConfig, z } from '@herald/shared';
import type { Channel, RetryPolicy } from '@herald/shared';

const ms = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3_600_000)
    .default(fallback);
const optionalMs = () =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3_600_000)
    .optional();
const jitter = () => z.enum(JITTERS, { error: `expected one of ${JITTERS.join(', ')}` });

/** `RETRY_<CHANNEL>_<SETTING>`: a channel's own retry settings, each falling back to the global one. */
const perChannel = Object.fromEntries(
  CHANNELS.flatMap((c) => [
    [`RETRY_${c}_BASE_MS`, optionalMs()],
    [`RETRY_${c}_CAP_MS`, optionalMs()],
    [`RETRY_${c}_MAX_ATTEMPTS`, z.coerce.number().int().min(1).max(100).optional()],
    [`RETRY_${c}_JITTER`, jitter().optional()],
  ]),
) as Record<`RETRY_${Channel}_${'BASE_MS' | 'CAP_MS' | 'MAX_ATTEMPTS' | 'JITTER'}`, z.ZodOptional<z.ZodType>>;

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8086),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Failures decided at once (notify.dlq). */
  DLQ_CONCURRENCY: env.positiveInt(32),
  /** Records released or moved at once, across the delay tiers. */
  DELAY_CONCURRENCY: env.positiveInt(500),
  /**
   * Records due within this many ms wait in their batch; the partition pauses until the others are.
   * Shorter: fetches are held up less (more precise), but paused partitions are fetched again more often.
   */
  DELAY_HORIZON_MS: z.coerce.number().int().min(0).max(5000).default(250),
  /** How long a tier's fetch waits at the broker: a resumed partition waits at most this long. */
  DELAY_FETCH_WAIT_MS: z.coerce.number().int().min(10).max(5000).default(100),
  /** The retry schedule (DESIGN.md §4, docs/architecture.md): attempt n waits min(cap, base·2^(n-1)). */
  RETRY_BASE_MS: ms(DEFAULT_RETRY_POLICY.baseMs),
  RETRY_CAP_MS: ms(DEFAULT_RETRY_POLICY.capMs),
  /** Attempts in all, the first included. */
  RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(DEFAULT_RETRY_POLICY.maxAttempts),
  RETRY_JITTER: jitter().default(DEFAULT_RETRY_POLICY.jitter),
  ...perChannel,
});

export type DlqConfig = z.infer<typeof schema>;

/** The retry policy of each channel, and of records that have none (a router's failed request). */
export interface RetryPolicies {
  default: RetryPolicy;
  byChannel: Record<Channel, RetryPolicy>;
}

export function retryPolicies(config: DlqConfig): RetryPolicies {
  const base: RetryPolicy = {
    baseMs: config.RETRY_BASE_MS,
    capMs: config.RETRY_CAP_MS,
    maxAttempts: config.RETRY_MAX_ATTEMPTS,
    jitter: config.RETRY_JITTER,
  };
  const raw = config as unknown as Record<string, unknown>;
  const pick = <T>(name: string, fallback: T): T => (raw[name] === undefined ? fallback : (raw[name] as T));
  const byChannel = Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      {
        baseMs: pick(`RETRY_${c}_BASE_MS`, base.baseMs),
        capMs: pick(`RETRY_${c}_CAP_MS`, base.capMs),
        maxAttempts: pick(`RETRY_${c}_MAX_ATTEMPTS`, base.maxAttempts),
        jitter: pick(`RETRY_${c}_JITTER`, base.jitter),
      },
    ]),
  ) as Record<Channel, RetryPolicy>;
  return { default: base, byChannel };
}

export function loadConfig(): Readonly<DlqConfig> {
  return parseConfig(schema);
}
