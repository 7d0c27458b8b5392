import { env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z
  .object({
    ...infraEnv,
    HTTP_PORT: env.port(8085),
    HTTP_HOST: z.string().default('0.0.0.0'),
    /** Provider calls in flight at once, across every lane. */
    DISPATCH_CONCURRENCY: env.positiveInt(200),
    /** The priority lanes this replica sends (docs/architecture.md: a replica for critical alone). */
    CONSUMER_LANES: env.lanes(),
    /** A delivery claim's lease: longer than the provider timeout, so a send in flight keeps it. */
    DISPATCH_CLAIM_LEASE_MS: env.positiveInt(30_000),
    FCM_PROJECT_ID: z.string().min(1),
    /** A service account key (JSON) in production. */
    FCM_SERVICE_ACCOUNT_JSON: z.string().optional(),
    /** Set only in dev and tests: the provider sandbox's address. */
    FCM_SANDBOX_URL: z.url().optional(),
  })
  .refine((c) => c.FCM_SERVICE_ACCOUNT_JSON !== undefined || c.FCM_SANDBOX_URL !== undefined, {
    path: ['FCM_SERVICE_ACCOUNT_JSON'],
    message: 'is required unless FCM_SANDBOX_URL is set',
  });

export type PushConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<PushConfig> {
  return parseConfig(schema);
}
