import { env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8082),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Partitions each lane's consumer works on at once. */
  ROUTER_CONCURRENCY: env.positiveInt(4),
  TEMPLATE_CACHE_SECONDS: env.positiveInt(30),
});

export type RouterConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<RouterConfig> {
  return parseConfig(schema);
}
