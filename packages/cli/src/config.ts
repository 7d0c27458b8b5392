import { TOPIC_PREFIX, z } from '@herald/shared/domain';
import { usageError } from './domain/errors';

/** Where the CLI finds Herald: global flags first, then the environment, then the dev stack's addresses. */
export interface CliConfig {
  ingestUrl: string;
  dlqUrl: string;
  key: string | undefined;
  brokers: string[];
  registryUrl: string;
  topicPrefix: string;
}

export interface GlobalFlags {
  url?: string;
  dlqUrl?: string;
  key?: string;
  brokers?: string;
  registry?: string;
  topicPrefix?: string;
}

const httpUrl = z
  .string()
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  })
  .transform((value) => value.replace(/\/+$/, ''));

const URL_RULE = 'must be an http(s) URL';
/** What each setting must be, as the error says it. */
const RULES: Record<keyof CliConfig, string> = {
  ingestUrl: URL_RULE,
  dlqUrl: URL_RULE,
  key: 'must be text',
  brokers: 'must be host:port[,host:port...]',
  registryUrl: URL_RULE,
  topicPrefix: `must be at most 180 characters of A-Z a-z 0-9 . _ - (Kafka's topic-name characters)`,
};

/** The settings, each read from its flag or variable; brokers and TOPIC_PREFIX as the services read them. */
const schema = z.object({
  ingestUrl: httpUrl,
  dlqUrl: httpUrl,
  key: z.string().optional(),
  brokers: z
    .string()
    .transform((s) => s.split(',').map((b) => b.trim()))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/))),
  registryUrl: httpUrl,
  topicPrefix: z.string().regex(TOPIC_PREFIX),
});

type Setting = keyof CliConfig;

/** The flag and variable of each setting, the flag's value, the variable's and the default. */
function sources(flags: GlobalFlags, env: NodeJS.ProcessEnv) {
  const s = (flag: string, variable: string, given: string | undefined, fallback?: string) => ({
    name: given !== undefined ? flag : variable,
    value: given ?? (env[variable] || undefined) ?? fallback,
  });
  return {
    ingestUrl: s('--url', 'HERALD_URL', flags.url, 'http://127.0.0.1:8080'),
    dlqUrl: s('--dlq-url', 'HERALD_DLQ_URL', flags.dlqUrl, 'http://127.0.0.1:8086'),
    key: s('--key', 'HERALD_KEY', flags.key),
    brokers: s('--brokers', 'KAFKA_BROKERS', flags.brokers, '127.0.0.1:9092'),
    registryUrl: s(
      '--registry',
      'SCHEMA_REGISTRY_URL',
      flags.registry,
      'http://127.0.0.1:8081/apis/ccompat/v7',
    ),
    topicPrefix: s('--topic-prefix', 'TOPIC_PREFIX', flags.topicPrefix, ''),
  } satisfies Record<Setting, { name: string; value: string | undefined }>;
}

/**
 * The one place that reads process.env (when a command runs, not at import): every bad value is
 * listed at once, each under the flag or variable it came from, and the result is frozen.
 */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Readonly<CliConfig> {
  const from = sources(flags, env);
  const raw = Object.fromEntries(Object.entries(from).map(([k, v]) => [k, v.value]));
  const result = schema.safeParse(raw);
  if (!result.success) {
    const bad = [...new Set(result.error.issues.map((issue) => issue.path[0] as Setting))];
    // The key is a secret: never echoed.
    const problems = bad.map(
      (k) => `${from[k].name} ${RULES[k]}${k === 'key' ? '' : ` (got "${from[k].value}")`}`,
    );
    throw usageError(
      problems.length === 1
        ? (problems[0] ?? '')
        : `bad settings:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return Object.freeze({ ...result.data, key: result.data.key });
}
