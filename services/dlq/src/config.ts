import { env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8086),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Records parked at once. */
  DLQ_CONCURRENCY: env.positiveInt(32),
});

export type DlqConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<DlqConfig> {
  return parseConfig(schema);
}
