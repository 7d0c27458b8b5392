import { env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8083),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Provider calls in flight at once, across every lane. */
  DISPATCH_CONCURRENCY: env.positiveInt(200),
  /** The priority lanes this replica sends (docs/architecture.md: a replica for critical alone). */
  CONSUMER_LANES: env.lanes(),
  /** A delivery claim's lease: longer than the provider timeout, so a send in flight keeps it. */
  DISPATCH_CLAIM_LEASE_MS: env.positiveInt(30_000),
  SENDGRID_API_KEY: z.string().min(1),
  SENDGRID_FROM_EMAIL: z.email(),
  SENDGRID_FROM_NAME: z.string().default('Herald'),
  /** Set only in dev and tests: the provider sandbox's address. */
  SENDGRID_BASE_URL: z.url().optional(),
});

export type EmailConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<EmailConfig> {
  return parseConfig(schema);
}
