import { CHANNELS, env, infraEnv, parseConfig, z } from '@herald/shared';
import type { Channel } from '@herald/shared';
import { parseCapPolicies, parseCaps } from './domain/caps';
import { DEFAULT_CHANNELS } from './domain/rules';
import type { PriorityDefaults } from './domain/rules';

/** A setting read by one of the domain's parsers, its problems reported as the variable's. */
function parsed<T>(
  fallback: string,
  parse: (s: string) => { ok: true; value: T } | { ok: false; problems: string[] },
) {
  return z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const r = parse(s);
      if (r.ok) return r.value;
      for (const message of r.problems) ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    });
}

const channelList = (fallback: readonly Channel[]) =>
  parsed(fallback.join(','), (s) => {
    const list = [...new Set(s.split(',').map((c) => c.trim().toUpperCase()))];
    const bad = list.filter((c) => !CHANNELS.includes(c as Channel));
    return bad.length > 0 || list.length === 0
      ? { ok: false, problems: [`expected a list of ${CHANNELS.join(', ').toLowerCase()}, got '${s}'`] }
      : { ok: true, value: list as Channel[] };
  });

const schema = z.object({
  ...infraEnv,
  HTTP_PORT: env.port(8082),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Records decided at once, across every lane. */
  ROUTER_CONCURRENCY: env.positiveInt(64),
  /** The priority lanes this replica routes (docs/architecture.md: a replica for critical alone). */
  CONSUMER_LANES: env.lanes(),
  TEMPLATE_CACHE_SECONDS: env.positiveInt(30),
  /** How stale a user's addresses, devices and preferences may be when a change announcement is lost. */
  USER_CACHE_SECONDS: env.positiveInt(5),
  USER_CACHE_SIZE: env.positiveInt(50_000),
  /** The same for categories and routing rules. */
  CATALOG_CACHE_SECONDS: env.positiveInt(30),
  /** A request's dedup window unless it names its own (0: no dedup by default). */
  DEDUP_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(600),
  /** Central frequency caps per channel over all categories, e.g. `SMS:3/1h,EMAIL:20/1d`. */
  FREQUENCY_CAPS: parsed('', (s) => {
    const r = parseCaps(s);
    return r.ok ? { ok: true, value: r.caps } : r;
  }),
  /** What happens over a cap, by priority: `high:defer,normal:defer,low:suppress` (the default). */
  CAP_POLICY: parsed('', (s) => {
    const r = parseCapPolicies(s);
    return r.ok ? { ok: true, value: r.policies } : r;
  }),
  ROUTING_DEFAULT_CRITICAL: channelList(DEFAULT_CHANNELS.CRITICAL),
  ROUTING_DEFAULT_HIGH: channelList(DEFAULT_CHANNELS.HIGH),
  ROUTING_DEFAULT_NORMAL: channelList(DEFAULT_CHANNELS.NORMAL),
  ROUTING_DEFAULT_LOW: channelList(DEFAULT_CHANNELS.LOW),
});

export type RouterConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<RouterConfig> {
  return parseConfig(schema);
}

/** The channels used when no routing rule matches, by priority. */
export function routingDefaults(config: RouterConfig): PriorityDefaults {
  return {
    CRITICAL: config.ROUTING_DEFAULT_CRITICAL,
    HIGH: config.ROUTING_DEFAULT_HIGH,
    NORMAL: config.ROUTING_DEFAULT_NORMAL,
    LOW: config.ROUTING_DEFAULT_LOW,
  };
}
