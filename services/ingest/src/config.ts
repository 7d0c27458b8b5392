import { env, infraEnv, parseConfig, z } from '@herald/shared';

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
});

export type IngestConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<IngestConfig> {
  return parseConfig(schema);
}

const cliSchema = z.object({ DATABASE_URL: infraEnv.DATABASE_URL });

export function loadCliConfig(): Readonly<z.infer<typeof cliSchema>> {
  return parseConfig(cliSchema);
}
