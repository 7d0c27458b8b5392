import { createApiKey, createPool } from '@herald/shared';
import type { ApiScope } from '@herald/shared';
import { loadCliConfig } from '../config';

/**
 * `node dist/cli/create-api-key.js <name> [--admin]`: prints a new API key once (only its hash is
 * stored). Every key may send; `--admin` adds the operator APIs (dead letters).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((a) => !a.startsWith('--'));
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--admin');
  if (!name || unknown.length > 0) throw new Error('usage: create-api-key <name> [--admin]');
  const scopes: ApiScope[] = args.includes('--admin') ? ['send', 'admin'] : ['send'];
  const pool = createPool(loadCliConfig().DATABASE_URL, 1);
  try {
    process.stdout.write(`${await createApiKey(pool, name, scopes)}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
