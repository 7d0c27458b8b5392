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

function url(value: string, name: string): string {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return value.replace(/\/+$/, '');
  } catch {
    throw usageError(`${name} must be an http(s) URL (got "${value}")`);
  }
}

function brokers(value: string, name: string): string[] {
  const list = value.split(',').map((b) => b.trim());
  if (list.some((b) => !/^[^:\s]+:\d+$/.test(b)))
    throw usageError(`${name} must be host:port[,host:port...] (got "${value}")`);
  return list;
}

/** The one place that reads process.env (the environment is read when a command runs, not at import). */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): CliConfig {
  return {
    ingestUrl: url(
      flags.url ?? env.HERALD_URL ?? 'http://127.0.0.1:8080',
      flags.url ? '--url' : 'HERALD_URL',
    ),
    dlqUrl: url(
      flags.dlqUrl ?? env.HERALD_DLQ_URL ?? 'http://127.0.0.1:8086',
      flags.dlqUrl ? '--dlq-url' : 'HERALD_DLQ_URL',
    ),
    key: flags.key ?? (env.HERALD_KEY || undefined),
    brokers: brokers(
      flags.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      flags.brokers ? '--brokers' : 'KAFKA_BROKERS',
    ),
    registryUrl: url(
      flags.registry ?? env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
      flags.registry ? '--registry' : 'SCHEMA_REGISTRY_URL',
    ),
    topicPrefix: flags.topicPrefix ?? env.TOPIC_PREFIX ?? '',
  };
}
