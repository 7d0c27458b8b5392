/** Where the tests find the infrastructure: the dev stack's addresses unless overridden. */
export const testEnv = {
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  registryUrl: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15',
  /** Integration tests share one migrated database; e2e runs create their own. */
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald_test',
  postgresUrl: (db: string) => {
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald_test');
    url.pathname = `/${db}`;
    return url.toString();
  },
};
