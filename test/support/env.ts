/**
 * Where the tests find the infrastructure: the dev stack's addresses unless overridden. Read on
 * every access, so the integration global setup can point them at containers (exportTestEnv) after
 * this module was loaded; both harness paths end in these four variables.
 */
export const testEnv = {
  get brokers(): string[] {
    return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  },
  get registryUrl(): string {
    return process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
  },
  get redisUrl(): string {
    return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
  },
  /** Integration tests share one migrated database; e2e runs create their own. */
  get databaseUrl(): string {
    return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald_test';
  },
  postgresUrl(db: string): string {
    const url = new URL(testEnv.databaseUrl);
    url.pathname = `/${db}`;
    return url.toString();
  },
};

/** The addresses of one set of infrastructure, as the tests use them. */
export interface TestAddresses {
  brokers: string[];
  registryUrl: string;
  redisUrl: string;
  databaseUrl: string;
}

/** Points testEnv (and the jest workers, which inherit this process's environment) at `a`. */
export function exportTestEnv(a: TestAddresses): void {
  process.env.KAFKA_BROKERS = a.brokers.join(',');
  process.env.SCHEMA_REGISTRY_URL = a.registryUrl;
  process.env.TEST_REDIS_URL = a.redisUrl;
  process.env.TEST_DATABASE_URL = a.databaseUrl;
}

export function currentTestAddresses(): TestAddresses {
  const { brokers, registryUrl, redisUrl, databaseUrl } = testEnv;
  return { brokers, registryUrl, redisUrl, databaseUrl };
}
