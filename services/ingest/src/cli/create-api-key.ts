import { createApiKey, createPool } from '@herald/shared';
import { loadCliConfig } from '../config';

/** `node dist/cli/create-api-key.js <name>`: prints a new API key once; only its hash is stored. */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name) throw new Error('usage: create-api-key <name>');
  const pool = createPool(loadCliConfig().DATABASE_URL, 1);
  try {
    process.stdout.write(`${await createApiKey(pool, name)}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
