import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

/** Creates the database named in the URL when the server does not have it yet. Idempotent. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unsupported database name in DATABASE_URL: ${name}`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  // A broken connection also emits 'error', a crash when nobody listens; the awaited query rejects.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((err: unknown) => {
        // Another provisioner created it between our check and our CREATE.
        if ((err as { code?: string }).code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/** Applies pending migrations with node-pg-migrate (SQL files in packages/shared/migrations). */
export async function runMigrations(databaseUrl: string): Promise<string> {
  const bin = require.resolve('node-pg-migrate/bin/node-pg-migrate');
  const { stdout } = await run(
    process.execPath,
    [bin, 'up', '-m', MIGRATIONS_DIR, '--migration-file-language', 'sql', '--check-order', '--no-verbose'],
    // The child inherits PGPASSWORD, PGSSL* and friends; this is not configuration being read.
    // eslint-disable-next-line no-restricted-properties
    { env: { ...process.env, DATABASE_URL: databaseUrl }, maxBuffer: 10 * 1024 * 1024 },
  );
  return stdout;
}
