import { ensureDatabase, runMigrations } from '@herald/shared';
import { probeEngine, rememberStop, startContainers, stopRemembered } from './containers';
import { choosePath, describeChoice, FORCE_VARIABLE } from './containers-path';
import { currentTestAddresses, exportTestEnv, testEnv } from './env';

/**
 * Chooses the infrastructure (containers where a Docker engine answers, else the local processes;
 * HERALD_TEST_INFRA=local|containers forces one), says which, and points the tests at it. Both
 * paths end in the same environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, TEST_REDIS_URL,
 * TEST_DATABASE_URL) and the same provisioning: the shared test database, migrated. Topics and
 * schemas are each test's own (isolatedTopics, startStack), on either path.
 */
export default async function globalSetup(): Promise<void> {
  const choice = await choosePath(process.env[FORCE_VARIABLE], () => probeEngine());
  let images: Record<string, string> | undefined;
  if (choice.path === 'containers') {
    console.log(`[integration] starting containers (${choice.runtime})…`);
    const infra = await startContainers();
    rememberStop(infra.stop);
    exportTestEnv(infra.addresses);
    images = infra.images;
  }
  console.log(describeChoice(choice, currentTestAddresses(), images));
  try {
    await ensureDatabase(testEnv.databaseUrl);
    await runMigrations(testEnv.databaseUrl);
  } catch (err) {
    // jest skips global teardown when global setup fails.
    await stopRemembered();
    throw err;
  }
}
