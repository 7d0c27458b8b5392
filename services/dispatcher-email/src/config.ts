import { dispatcherEnv, infraEnv, parseConfig, publicBaseUrl, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  ...dispatcherEnv({ port: 8083 }),
  SENDGRID_API_KEY: z.string().min(1),
  SENDGRID_FROM_EMAIL: z.email(),
  SENDGRID_FROM_NAME: z.string().default('Herald'),
  /** Set only in dev and tests: the provider sandbox's address. */
  SENDGRID_BASE_URL: z.url().optional(),
  /** Ingest's public address: one-click unsubscribe links point at `<it>/v1/unsubscribe/<token>`. */
  PUBLIC_BASE_URL: publicBaseUrl(),
  /** Signs unsubscribe tokens; ingest must have the same value. */
  UNSUBSCRIBE_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /**
   * Failover (off unless set): an SMTP server (`smtp://user:pass@host:587`) that takes the sends
   * while SendGrid's circuit is open. Its own breaker; its own rate limit, `SMTP_RATE_LIMIT`.
   */
  SMTP_URL: z
    .url()
    .refine((u) => /^smtps?:$/.test(new URL(u).protocol), 'expected smtp://… or smtps://…')
    .optional(),
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(10),
  SMTP_RATE_LIMIT: z.coerce
    .number()
    .int()
    .refine((n) => n === 0 || n >= 2, 'expected 0 (no limit) or at least 2 sends per second')
    .default(0),
  /** How long an unsubscribe link keeps working. */
  UNSUBSCRIBE_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(60),
});

export type EmailConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<EmailConfig> {
  return parseConfig(schema);
}
