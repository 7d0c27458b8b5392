import { randomUUID } from 'node:crypto';
import { createProducer, createPublisher, createRegistry } from '@herald/shared';
import type { OutboundRecord, Publisher } from '@herald/shared';
import { silentLog, waitFor } from '@herald/test-support';
import { createAdminServices } from '../src/admin';
import { pgDeadLetters } from '../src/adapters/dead-letters';
import { pgReplayJobs } from '../src/adapters/replay-jobs';
import {
  adminFixture,
  call,
  eventsOf,
  message,
  parkAcrossPowerOfTen,
  parkLetters,
  replayedFrom,
  statusOf,
  uniqueReason,
} from './admin-fixture';
import type { AdminFixture } from './admin-fixture';

let f: AdminFixture;

// Chunks of two: a handful of letters already takes several chunks.
beforeAll(async () => {
  f = await adminFixture({ chunkSize: 2, retryDelayMs: () => 50 });
});
afterAll(() => f?.close());

interface Progress {
  jobId: string;
  status: string;
  count: number;
  replayed: number;
  skipped: number;
  failed: number;
  createdBy: string;
  finishedAt: string | null;
}

const progress = async (jobId: string) => {
  const res = await call(f, 'GET', `/v1/dead-letters/replays/${jobId}`);
  expect(res.status).toBe(200);
  return res.body as unknown as Progress;
};
const finished = (jobId: string) =>
  waitFor(`replay job ${jobId} to finish`, async () => {
    const p = await progress(jobId);
    return p.status === 'running' ? undefined : p;
  });

/** Records produced with `replayed-from`, per dead letter, through a publisher. */
function countReplays(publisher: Publisher) {
  const seen = new Map<string, number>();
  const spy = jest.spyOn(publisher, 'publish');
  const count = (records: OutboundRecord[]) => {
    for (const r of records) {
      const from = r.headers?.['replayed-from'];
      if (from) seen.set(from, (seen.get(from) ?? 0) + 1);
    }
  };
  return {
    of: (id: string) => {
      for (const [records] of spy.mock.calls) count(records);
      spy.mockClear();
      return seen.get(id) ?? 0;
    },
    restore: () => spy.mockRestore(),
  };
}

describe('bulk replay', () => {
  it('replays the parked letters among the ids, in chunks, skipping those it cannot replay', async () => {
    const m = message();
    const letters = await parkLetters(f, [{ message: m }, { over: { targetTopic: null } }, {}, {}, {}, {}]);
    const [done = '', ...rest] = letters;
    await call(f, 'POST', `/v1/dead-letters/${done}/discard`, { reason: 'handled by hand' });

    const res = await call(f, 'POST', '/v1/dead-letters/replay', { ids: [...letters, '999999999999999999'] });
    expect(res.status).toBe(202);
    const jobId = res.body.jobId as string;
    expect(res.body).toEqual({
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      count: 5,
      status: 'running',
      progressUrl: `/v1/dead-letters/replays/${jobId}`,
    });
    expect(res.headers.location).toBe(`/v1/dead-letters/replays/${jobId}`);

    expect(await finished(jobId)).toEqual(
      expect.objectContaining({
        status: 'done',
        count: 5,
        replayed: 4,
        skipped: 1,
        failed: 0,
        createdBy: f.keyName,
      }),
    );
    const [noTarget, ...replayable] = rest;
    for (const id of replayable) {
      expect(await replayedFrom(f, id)).toHaveLength(1);
      expect(await statusOf(f, id)).toBe('replayed');
    }
    expect(await statusOf(f, noTarget ?? '')).toBe('parked');
    expect(await statusOf(f, done)).toBe('discarded');
    const { rows } = await f.deps.pool.query<{ job: string; by: string }>(
      'SELECT replay_job_id::text AS job, replayed_by AS by FROM dead_letters WHERE id = ANY($1::bigint[])',
      [replayable],
    );
    expect(new Set(rows.map((r) => r.job))).toEqual(new Set([jobId]));
    expect(rows[0]?.by).toMatch(new RegExp(`^${f.keyName} \\(key \\d+\\)$`));
    // The discarded letter's own event only: the job did not touch it.
    const events = await eventsOf(f, m.notificationId, 1);
    expect(events.map((e) => e.status)).toEqual(['DISCARDED']);
  });

  it('replays what a filter matches, once, and a job for nothing is done at once', async () => {
    const reason = uniqueReason();
    const m = message({ channel: 'SMS', priority: 'LOW', address: '+14155550100' });
    const [sms = '', email1 = '', email2 = '', old = ''] = await parkLetters(f, [
      { reason, message: m },
      { reason },
      { reason },
      { reason },
    ]);
    await f.deps.pool.query(`UPDATE dead_letters SET parked_at = '2020-01-01T00:00:00Z' WHERE id = $1`, [
      old,
    ]);
    const res = await call(f, 'POST', '/v1/dead-letters/replay', {
      filter: { reason, since: '2021-01-01T00:00:00Z' },
    });
    expect(res.body).toEqual(expect.objectContaining({ count: 3, status: 'running' }));
    const jobId = res.body.jobId as string;
    expect(await finished(jobId)).toEqual(
      expect.objectContaining({ status: 'done', count: 3, replayed: 3, skipped: 0, failed: 0 }),
    );
    expect((await progress(jobId)).finishedAt).toEqual(expect.any(String));
    for (const id of [sms, email1, email2]) expect(await statusOf(f, id)).toBe('replayed');
    expect(await statusOf(f, old)).toBe('parked');
    const [event] = await eventsOf(f, m.notificationId, 1);
    expect(event).toEqual(
      expect.objectContaining({ status: 'REPLAYED', channel: 'SMS', reason: 'replayed' }),
    );
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ deadLetterId: sms, by: f.keyName, jobId });
    expect((await replayedFrom(f, sms))[0]?.topic).toBe(f.deps.topics.channel('SMS', 'LOW'));

    // The same filter again: nothing is parked any more, so nothing is replayed twice.
    const again = await call(f, 'POST', '/v1/dead-letters/replay', {
      filter: { reason, since: '2021-01-01T00:00:00Z' },
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(expect.objectContaining({ count: 0, status: 'done' }));
    expect(await progress(again.body.jobId as string)).toEqual(
      expect.objectContaining({ status: 'done', count: 0, replayed: 0 }),
    );
  });

  it('replays every letter of a filter whose ids cross a power of ten', async () => {
    const reason = uniqueReason();
    const { ids: letters, release } = await parkAcrossPowerOfTen(
      f,
      Array.from({ length: 6 }, () => ({ reason })),
    );
    try {
      expect(new Set(letters.map((id) => id.length)).size).toBe(2);
      const res = await call(f, 'POST', '/v1/dead-letters/replay', { filter: { reason } });
      expect(res.status).toBe(202);
      expect(await finished(res.body.jobId as string)).toEqual(
        expect.objectContaining({ status: 'done', count: 6, replayed: 6, skipped: 0, failed: 0 }),
      );
      for (const id of letters) expect(await statusOf(f, id)).toBe('replayed');
    } finally {
      await release();
    }
  });

  it('goes on after a restart from the last chunk done, replaying each letter once', async () => {
    const letters = await parkLetters(f, [{}, {}, {}, {}, {}]);
    const replays = countReplays(f.deps.publisher);
    try {
      // The first process stops (SIGTERM) while its first chunk is being produced.
      const stopping: Publisher = {
        publish: async (records, opts) => {
          await f.deps.publisher.publish(records, opts);
          void first.replays.stop();
        },
      };
      const first = createAdminServices(
        { ...f.deps, publisher: stopping, registry: createRegistry('dlq-admin-first'), log: silentLog },
        pgDeadLetters(f.deps.pool),
        { chunkSize: 2 },
      );
      const job = await first.replays.start({ ids: letters }, { keyId: '0', name: f.keyName });
      await first.replays.settled(job.id);
      expect(await progress(job.id)).toEqual(
        expect.objectContaining({ status: 'running', count: 5, replayed: 2 }),
      );

      // The next process resumes it.
      const next = createAdminServices(
        { ...f.deps, registry: createRegistry('dlq-admin-next'), log: silentLog },
        pgDeadLetters(f.deps.pool),
        { chunkSize: 2 },
      );
      expect(await next.replays.resume()).toContain(job.id);
      await next.replays.settled(job.id);
      await next.replays.stop();
      expect(await progress(job.id)).toEqual(
        expect.objectContaining({ status: 'done', count: 5, replayed: 5, skipped: 0, failed: 0 }),
      );
      for (const id of letters) expect(replays.of(id)).toBe(1);
    } finally {
      replays.restore();
    }
  });

  it('ends failed, its letters still parked, when Kafka keeps refusing a chunk', async () => {
    const letters = await parkLetters(f, [{}, {}, {}]);
    const closed = createPublisher(() => createProducer(f.deps.kafka), f.deps.codec);
    await closed.disconnect();
    const services = createAdminServices(
      { ...f.deps, publisher: closed, registry: createRegistry('dlq-admin-closed'), log: silentLog },
      pgDeadLetters(f.deps.pool),
      { chunkSize: 2, retryDelayMs: () => 10 },
    );
    const job = await services.replays.start({ ids: letters }, { keyId: '0', name: f.keyName });
    await services.replays.settled(job.id);
    expect(await progress(job.id)).toEqual(
      expect.objectContaining({
        status: 'failed',
        count: 3,
        replayed: 0,
        failed: 2,
        lastError: 'dependency_unavailable: the publisher is closed (shutting down)',
        finishedAt: expect.any(String),
      }),
    );
    for (const id of letters) expect(await statusOf(f, id)).toBe('parked');
  });

  it('resumes a job recorded by a process that never ran it', async () => {
    const letters = await parkLetters(f, [{}, {}, {}]);
    const job = await pgReplayJobs(f.deps.pool).create(
      randomUUID(),
      { ids: letters },
      { name: 'ops', keyId: '1' },
    );
    expect(job).toEqual(expect.objectContaining({ status: 'running', count: 3, replayed: 0 }));
    expect(await f.admin.replays.resume()).toContain(job.id);
    expect(await finished(job.id)).toEqual(expect.objectContaining({ status: 'done', replayed: 3 }));
    for (const id of letters) expect((await replayedFrom(f, id))[0]?.topic).toBe(f.target);
  });

  it.each([
    ['an empty body', {}, 'body'],
    ['both ids and a filter', { ids: ['1'], filter: { reason: 'provider_unavailable' } }, 'body'],
    ['an empty filter', { filter: {} }, 'filter'],
    ['a filter on status', { filter: { status: 'parked' } }, 'filter.status'],
    ['no ids', { ids: [] }, 'ids'],
    ['a malformed id', { ids: ['abc'] }, 'ids.0'],
    ['1001 ids', { ids: Array.from({ length: 1001 }, (_, i) => String(i + 1)) }, 'ids'],
    ['an unknown channel', { filter: { channel: 'fax' } }, 'filter.channel'],
  ])('refuses %s', async (_name, body, field) => {
    const res = await call(f, 'POST', '/v1/dead-letters/replay', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'validation_failed', field }) });
  });

  it('is 404 for an unknown job and 400 for a malformed job id', async () => {
    const unknown = randomUUID();
    expect(await call(f, 'GET', `/v1/dead-letters/replays/${unknown}`)).toEqual(
      expect.objectContaining({
        status: 404,
        body: { error: { code: 'not_found', message: `no replay job ${unknown}` } },
      }),
    );
    expect((await call(f, 'GET', '/v1/dead-letters/replays/42')).status).toBe(400);
  });
});
