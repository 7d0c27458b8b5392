import { env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8082),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Records decided at once, across every lane. */
  ROUTER_CONCURRENCY: env.positiveInt(64),
  /** The priority lanes this replica routes (docs/architecture.md: a replica for critical alone). */
  CONSUMER_LANES: env.lanes(),
  TEMPLATE_CACHE_SECONDS: env.positiveInt(30),
  /** How stale a user's addresses and devices may be when read (see adapters/users.ts). */
  USER_CACHE_SECONDS: env.positiveInt(5),
  USER_CACHE_SIZE: env.positiveInt(50_000),
});

export type RouterConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<RouterConfig> {
  return parseConfig(schema);
}
