import type { Pool } from '@herald/shared';

/** A connection in a transaction, for the queries of the work done in it. */
export type TxClient = Pick<Pool, 'query'>;

/**
 * Runs `work` in a transaction on one connection: committed when it resolves, rolled back when it
 * throws. A connection whose ROLLBACK failed may be mid-transaction: the pool discards it.
 */
export async function inTransaction<T>(pool: Pool, work: (client: TxClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error('ROLLBACK failed');
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
