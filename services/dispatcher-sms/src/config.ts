import { env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8084),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Provider calls in flight at once, across every lane. */
  DISPATCH_CONCURRENCY: env.positiveInt(200),
  /** The priority lanes this replica sends (docs/architecture.md: a replica for critical alone). */
  CONSUMER_LANES: env.lanes(),
  /** A delivery claim's lease: longer than the provider timeout, so a send in flight keeps it. */
  DISPATCH_CLAIM_LEASE_MS: env.positiveInt(30_000),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'expected AC followed by 32 hex digits'),
  TWILIO_AUTH_TOKEN: z.string().min(1),
  TWILIO_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +15005550006'),
  /** Set only in dev and tests: the provider sandbox's address. */
  TWILIO_SANDBOX_URL: z.url().optional(),
});

export type SmsConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<SmsConfig> {
  return parseConfig(schema);
}
