import pg from 'pg';
import { classifyError } from './errors';
import type { ReadinessCheck } from './ops-server';

export type Pool = pg.Pool;

/** Where createPool reports a lost connection; a pino Logger fits. */
export interface PgLog {
  warn(fields: Record<string, unknown>, msg: string): void;
}

/**
 * A connection-level failure, reduced to what is safe to log: the SQLSTATE or socket errno and the
 * driver's message. Never the error object itself: pg-pool hangs the client (with its connection
 * parameters) on it, and a backend error may carry detail from the rows involved.
 */
function loggable(err: Error): { code?: string; error: string } {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? { code, error: err.message } : { error: err.message };
}

/**
 * A pool whose connections cannot crash the process. A connection that breaks (Postgres restarted,
 * `pg_terminate_backend`, a network cut) emits 'error' on its client. pg-pool listens only while
 * the client is idle; a checked-out client without a listener of its own throws the event as an
 * uncaught exception. So every client gets a listener when the pool creates it, and the pool gets
 * one for the idle case. The client is already unusable when this fires: queries on it reject,
 * and the pool discards it when it is released, so there is nothing to do but say so.
 */
export function createPool(databaseUrl: string, max = 10, log?: PgLog): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000 });
  pool.on('connect', (client) => {
    let reported = false;
    client.on('error', (err) => {
      // A terminated backend sends its FATAL message, then the socket ends: one failure, two events.
      if (reported) return;
      reported = true;
      log?.warn(loggable(err), 'postgres connection lost; the pool will open a new one');
    });
  });
  // pg-pool re-emits an idle client's failure here; the client's own listener has reported it.
  pool.on('error', () => undefined);
  return pool;
}

export function pgReadiness(pool: pg.Pool): ReadinessCheck {
  return {
    name: 'postgres',
    check: async () => (await pool.query('select 1 as ok')).rows.length === 1,
  };
}

/**
 * `($1, $2, …), ($n+1, …)` for a multi-row INSERT of `rows`, whose values are appended to
 * `params`. Postgres takes at most 65,535 parameters per statement: keep rows × columns below it.
 */
export function valuesList(rows: readonly (readonly unknown[])[], params: unknown[]): string {
  return rows
    .map((row) => {
      const first = params.length;
      params.push(...row);
      return `(${row.map((_, j) => `$${first + j + 1}`).join(', ')})`;
    })
    .join(', ');
}

/**
 * Writes `items` in chunks of `size`, one statement (or transaction) per chunk. A chunk Postgres
 * refuses for its data, not for an outage, is written again one item at a time, so one bad item
 * cannot hold back the others: the items that still fail come back with the reason, for the
 * caller to park. An outage (`wait` disposition) is thrown, to be waited out by the engine.
 */
export async function writeChunked<T>(
  items: readonly T[],
  size: number,
  write: (chunk: T[]) => Promise<void>,
): Promise<{ item: T; reason: string }[]> {
  const refused: { item: T; reason: string }[] = [];
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size);
    try {
      await write(chunk);
    } catch (e) {
      const err = classifyError(e);
      if (err.disposition === 'wait') throw e;
      if (chunk.length === 1) {
        refused.push({ item: chunk[0] as T, reason: err.message });
        continue;
      }
      for (const item of chunk) {
        try {
          await write([item]);
        } catch (single) {
          const err = classifyError(single);
          if (err.disposition === 'wait') throw single;
          refused.push({ item, reason: err.message });
        }
      }
    }
  }
  return refused;
}
