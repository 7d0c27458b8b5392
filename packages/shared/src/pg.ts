import pg from 'pg';
import type { ReadinessCheck } from './ops-server';

export type Pool = pg.Pool;

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000 });
}

export function pgReadiness(pool: pg.Pool): ReadinessCheck {
  return {
    name: 'postgres',
    check: async () => (await pool.query('select 1 as ok')).rows.length === 1,
  };
}
