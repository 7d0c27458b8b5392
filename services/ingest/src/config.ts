import { env, infraEnv, parseConfig, publicBaseUrl, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8080),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Largest accepted request body; larger ones get 413. */
  BODY_LIMIT_BYTES: env.positiveInt(1024 * 1024),
  /** The same for POST /v1/notifications/batch, whose 1000 items outgrow the limit above. */
  BATCH_BODY_LIMIT_BYTES: env.positiveInt(16 * 1024 * 1024),
  IDEMPOTENCY_TTL_SECONDS: env.positiveInt(24 * 3600),
  /** Status events the projection works on at once, across its fetched batches. */
  PROJECTION_CONCURRENCY: env.positiveInt(1000),
  /** This API's address as mail clients and providers reach it (unsubscribe links, Twilio's signatures). */
  PUBLIC_BASE_URL: publicBaseUrl(),
  /** Checks one-click unsubscribe tokens; the email dispatcher signs them with the same value. */
  UNSUBSCRIBE_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** SendGrid's Event Webhook verification key (base64 or PEM). Unset: /v1/webhooks/sendgrid answers 503. */
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(1).optional(),
  /** Twilio signs its callbacks with the account's auth token. Unset: /v1/webhooks/twilio answers 503. */
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
});

export type IngestConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<IngestConfig> {
  return parseConfig(schema);
}

const cliSchema = z.object({ DATABASE_URL: infraEnv.DATABASE_URL });

export function loadCliConfig(): Readonly<z.infer<typeof cliSchema>> {
  return parseConfig(cliSchema);
}
