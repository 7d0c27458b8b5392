import { env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8083),
  HTTP_HOST: z.string().default('0.0.0.0'),
  DISPATCH_CONCURRENCY: env.positiveInt(4),
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
