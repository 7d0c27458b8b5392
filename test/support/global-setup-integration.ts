import { ensureDatabase, runMigrations } from '@herald/shared';
import { testEnv } from './env';

/** The integration tests' database exists and is migrated before any test file runs. */
export default async function globalSetup(): Promise<void> {
  await ensureDatabase(testEnv.databaseUrl);
  await runMigrations(testEnv.databaseUrl);
}
