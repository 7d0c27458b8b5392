import pg from 'pg';
import { createPool } from '@herald/shared';
import type { PgLog, Pool } from '@herald/shared';
import { testEnv, waitFor } from '@herald/test-support';

/** What a Postgres restart does to each backend, aimed at chosen ones from a second connection. */
async function terminate(pids: number[]): Promise<void> {
  const admin = new pg.Client({ connectionString: testEnv.databaseUrl });
  await admin.connect();
  try {
    const res = await admin.query<{ done: boolean }>(
      'SELECT pg_terminate_backend(pid) AS done FROM unnest($1::int[]) AS pid',
      [pids],
    );
    expect(res.rows.map((r) => r.done)).toEqual(pids.map(() => true));
  } finally {
    await admin.end();
  }
}

async function backendPid(client: pg.PoolClient): Promise<number> {
  const res = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = res.rows[0]?.pid;
  if (pid === undefined) throw new Error('no backend pid');
  return pid;
}

function recordingLog(): PgLog & { warnings: { fields: Record<string, unknown>; msg: string }[] } {
  const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  return { warnings, warn: (fields, msg) => warnings.push({ fields, msg }) };
}

describe('createPool when Postgres drops its connections', () => {
  let pool: Pool | undefined;
  let checkedOut: pg.PoolClient[] = [];
  async function connect(p: Pool): Promise<pg.PoolClient> {
    const client = await p.connect();
    checkedOut.push(client);
    return client;
  }
  function release(client: pg.PoolClient | undefined, err?: boolean): void {
    checkedOut = checkedOut.filter((c) => c !== client);
    client?.release(err);
  }
  afterEach(async () => {
    // pool.end() waits for checked-out clients: a failed test must not leave one behind.
    for (const c of checkedOut) c.release(true);
    checkedOut = [];
    await pool?.end();
    pool = undefined;
  });

  it('survives the backend of a checked-out client being terminated, and serves the next query', async () => {
    const log = recordingLog();
    pool = createPool(testEnv.databaseUrl, 2, log);
    const client = await connect(pool);
    const pid = await backendPid(client);
    // Watches the client's events without listening for 'error', which would hide the hazard.
    const emitted = jest.spyOn(client, 'emit');

    await terminate([pid]);
    // 'end' follows both 'error' events a terminated backend causes (its FATAL message, then EOF).
    await waitFor(
      'the client to emit error, then end',
      () => emitted.mock.calls.some(([e]) => e === 'end'),
      10_000,
      20,
    );

    expect(emitted.mock.calls.filter(([e]) => e === 'error').length).toBeGreaterThanOrEqual(1);
    expect(log.warnings).toEqual([
      {
        fields: { code: '57P01', error: 'terminating connection due to administrator command' },
        msg: expect.stringContaining('postgres connection lost'),
      },
    ]);
    await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable|terminated/);
    release(client, true);

    const res = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(res.rows[0]?.pid).not.toBe(pid);
    expect(pool.totalCount).toBe(1);
  });

  it('answers queries again after every backend, idle and checked out, was terminated', async () => {
    const log = recordingLog();
    pool = createPool(testEnv.databaseUrl, 3, log);
    const clients = await Promise.all([connect(pool), connect(pool), connect(pool)]);
    const pids = await Promise.all(clients.map(backendPid));
    const [busy, ...idle] = clients;
    for (const c of idle) release(c);
    expect([pool.totalCount, pool.idleCount]).toEqual([3, 2]);

    await terminate(pids);
    // The pool drops idle clients itself once they fail.
    await waitFor(
      'the idle clients to be dropped',
      () => pool?.idleCount === 0 && log.warnings.length === 3,
      10_000,
      20,
    );
    release(busy, true);

    const res = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(pids).not.toContain(res.rows[0]?.pid);
    expect(log.warnings.map((w) => w.fields.code)).toEqual(['57P01', '57P01', '57P01']);
  });
});
