import { createProducer, createPublisher, createRegistry } from '@herald/shared';
import { silentLog } from '@herald/test-support';
import { buildApp } from '../src/app';
import { createAdminServices } from '../src/admin';
import { pgDeadLetters } from '../src/adapters/dead-letters';
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

beforeAll(async () => {
  f = await adminFixture();
});
afterAll(() => f?.close());

const list = async (query: string) => {
  const res = await call(f, 'GET', `/v1/dead-letters?${query}`);
  expect(res.status).toBe(200);
  return res.body as { deadLetters: { id: string; status: string; channel: string }[]; next: string | null };
};
const ids = (page: { deadLetters: { id: string }[] }) => page.deadLetters.map((d) => d.id);

describe('listing dead letters', () => {
  it('filters by reason, channel, notification id, status and time, newest first, a page at a time', async () => {
    const reason = uniqueReason();
    const sms = message({ channel: 'SMS', priority: 'LOW', address: '+14155550100' });
    const [a, b, c, d, old] = await parkLetters(f, [
      { reason },
      { reason },
      { reason, message: sms },
      { reason },
      { reason },
    ]);
    await f.deps.pool.query(`UPDATE dead_letters SET parked_at = '2020-01-01T00:00:00Z' WHERE id = $1`, [
      old,
    ]);

    expect(ids(await list(`reason=${reason}`))).toEqual([old, d, c, b, a]);
    const first = await list(`reason=${reason}&limit=2`);
    expect(ids(first)).toEqual([old, d]);
    expect(first.next).toBe(d);
    const second = await list(`reason=${reason}&limit=2&before=${first.next}`);
    expect(ids(second)).toEqual([c, b]);
    expect(ids(await list(`reason=${reason}&limit=2&before=${second.next}`))).toEqual([a]);

    expect(await list(`reason=${reason}&channel=SmS`)).toEqual({
      deadLetters: [expect.objectContaining({ id: c, channel: 'SMS', status: 'parked', reason })],
      next: null,
    });
    expect(ids(await list(`reason=${reason}&notificationId=${sms.notificationId}`))).toEqual([c]);
    expect(ids(await list(`reason=${reason}&until=2021-01-01T00:00:00Z`))).toEqual([old]);
    expect(ids(await list(`reason=${reason}&since=2021-01-01T00:00:00%2B01:00`))).toEqual([d, c, b, a]);
    expect(ids(await list(`reason=${reason}&since=${new Date(Date.now() + 60_000).toISOString()}`))).toEqual(
      [],
    );

    // Parked is the default; other statuses are listed when asked for.
    await call(f, 'POST', `/v1/dead-letters/${b}/discard`, { reason: 'duplicate of another' });
    expect(ids(await list(`reason=${reason}`))).toEqual([old, d, c, a]);
    expect(ids(await list(`reason=${reason}&status=discarded`))).toEqual([b]);
    expect(ids(await list(`reason=${reason}&status=replayed`))).toEqual([]);
  });

  it('orders ids as numbers, not as text, across a power of ten', async () => {
    const reason = uniqueReason();
    const { ids: parked, release } = await parkAcrossPowerOfTen(f, [
      { reason },
      { reason },
      { reason },
      { reason },
    ]);
    try {
      expect(new Set(parked.map((id) => id.length)).size).toBe(2);
      const newestFirst = [...parked].reverse();
      expect(ids(await list(`reason=${reason}`))).toEqual(newestFirst);
      const first = await list(`reason=${reason}&limit=2`);
      expect(ids(first)).toEqual(newestFirst.slice(0, 2));
      expect(ids(await list(`reason=${reason}&before=${first.next}`))).toEqual(newestFirst.slice(2));
    } finally {
      await release();
    }
  });

  it.each([
    ['colour=blue', 'colour'],
    ['channel=fax', 'channel'],
    ['status=lost', 'status'],
    ['since=yesterday', 'since'],
    ['since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'until'],
    ['before=0', 'before'],
  ])('refuses ?%s naming the field', async (query, field) => {
    const res = await call(f, 'GET', `/v1/dead-letters?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'validation_failed', field }) });
  });
});

describe('one dead letter', () => {
  it('shows every field, the headers, the failure history and the decoded payload', async () => {
    const m = message();
    const [id] = await parkLetters(f, [{ message: m }]);
    const res = await call(f, 'GET', `/v1/dead-letters/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        id,
        status: 'parked',
        sourceTopic: f.deps.topics.dlq,
        sourcePartition: 0,
        targetTopic: f.target,
        notificationId: m.notificationId,
        channel: 'EMAIL',
        key: 'u-admin',
        keyEncoding: 'utf8',
        reason: 'provider_unavailable',
        attempts: 8,
        firstError: 'provider_unavailable: first',
        lastError: 'provider_unavailable: HTTP 503',
        firstFailedAt: '2026-01-01T00:00:00.000Z',
        payloadEncoding: 'avro',
        payload: m,
        replayCount: 0,
        replayedAt: null,
        replayedBy: null,
        discardedAt: null,
        discardedBy: null,
        discardReason: null,
      }),
    );
    expect(res.body.headers).toEqual(
      expect.objectContaining({ attempt: '8', 'x-origin': 'admin-test', 'target-topic': f.target }),
    );
    expect(res.body.failures).toEqual([
      { attempt: 7, at: '2026-01-01T00:00:00.000Z', error: 'provider_unavailable: first' },
      { attempt: 8, at: expect.any(String), error: 'provider_unavailable: HTTP 503' },
    ]);
  });

  it('shows a payload it cannot decode as base64, saying why', async () => {
    const [id] = await parkLetters(f, [{ over: { payload: Buffer.from('junk'), notificationId: null } }]);
    const res = await call(f, 'GET', `/v1/dead-letters/${id}`);
    expect(res.body).toEqual(
      expect.objectContaining({
        payload: Buffer.from('junk').toString('base64'),
        payloadEncoding: 'base64',
        payloadError: expect.stringContaining('wire format'),
      }),
    );
  });

  it('is 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = '999999999999999999';
    expect(await call(f, 'GET', `/v1/dead-letters/${unknown}`)).toEqual(
      expect.objectContaining({
        status: 404,
        body: { error: { code: 'not_found', message: `no dead letter ${unknown}` } },
      }),
    );
    const notFound = { error: { code: 'not_found', message: `no dead letter ${unknown}` } };
    expect((await call(f, 'POST', `/v1/dead-letters/${unknown}/replay`)).body).toEqual(notFound);
    expect((await call(f, 'POST', `/v1/dead-letters/${unknown}/discard`, { reason: 'x' })).body).toEqual(
      notFound,
    );
    // A replay takes no options: a body with fields is refused before anything is looked up.
    expect((await call(f, 'POST', `/v1/dead-letters/${unknown}/replay`, { force: true })).status).toBe(400);
    const bad = await call(f, 'GET', '/v1/dead-letters/abc');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'validation_failed', message: 'id: expected a dead-letter id', field: 'id' },
    });
  });
});

describe('replaying one dead letter', () => {
  it('produces the payload to its target with its key, reset headers and replayed-from, then marks it', async () => {
    const m = message();
    const [id = ''] = await parkLetters(f, [{ message: m }]);
    const res = await call(f, 'POST', `/v1/dead-letters/${id}/replay`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        id,
        status: 'replayed',
        replayCount: 1,
        replayedBy: expect.stringMatching(new RegExp(`^${f.keyName} \\(key \\d+\\)$`)),
        replayedAt: expect.any(String),
      }),
    );
    const [record] = await replayedFrom(f, id);
    expect(record?.topic).toBe(f.target);
    expect(record?.key).toBe('u-admin');
    expect(await f.deps.codec.decode(record?.value ?? null)).toEqual(m);
    expect(record?.headers).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'x-origin': 'admin-test',
      'replayed-from': id,
    });
    const [event] = await eventsOf(f, m.notificationId, 1);
    expect(event).toEqual(
      expect.objectContaining({ status: 'REPLAYED', channel: 'EMAIL', service: 'dlq', reason: 'replayed' }),
    );
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({ deadLetterId: id, by: f.keyName });
    expect(await statusOf(f, id)).toBe('replayed');

    const again = await call(f, 'POST', `/v1/dead-letters/${id}/replay`);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      error: {
        code: 'not_parked',
        message: `dead letter ${id} is replayed: only a parked dead letter can be replayed`,
      },
    });
    expect((await call(f, 'POST', `/v1/dead-letters/${id}/discard`, { reason: 'late' })).status).toBe(409);
    const metrics = await f.registry.getSingleMetricAsString('herald_dead_letters_replayed_total');
    expect(metrics).toMatch(
      /herald_dead_letters_replayed_total\{channel="EMAIL",service="dlq-admin-test"\} [1-9]/,
    );
  });

  it('produces once when the same letter is replayed twice at the same time', async () => {
    const [id = ''] = await parkLetters(f, [{}]);
    const publish = jest.spyOn(f.deps.publisher, 'publish');
    try {
      const answers = await Promise.all([
        call(f, 'POST', `/v1/dead-letters/${id}/replay`),
        call(f, 'POST', `/v1/dead-letters/${id}/replay`),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const produced = publish.mock.calls
        .flatMap(([records]) => records)
        .filter((r) => r.headers?.['replayed-from'] === id);
      expect(produced).toHaveLength(1);
    } finally {
      publish.mockRestore();
    }
    expect(await replayedFrom(f, id)).toHaveLength(1);
  });

  it('refuses a letter that has no target topic or payload, or whose target is not a delivery topic', async () => {
    const [noTarget, noPayload, elsewhere] = await parkLetters(f, [
      { over: { targetTopic: null } },
      { over: { payload: null } },
      { over: { targetTopic: f.deps.topics.status } },
    ]);
    for (const [id, why] of [
      [noTarget, 'it has no target topic'],
      [noPayload, 'its payload was not stored'],
      [elsewhere, `its target topic ${f.deps.topics.status} is not a priority or channel topic`],
    ] as const) {
      const res = await call(f, 'POST', `/v1/dead-letters/${id}/replay`);
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        error: { code: 'not_replayable', message: expect.stringContaining(why) },
      });
      expect(await statusOf(f, id ?? '')).toBe('parked');
    }
  });

  it('answers 503 and leaves the letter parked when Kafka does not take the replay', async () => {
    const closed = createPublisher(() => createProducer(f.deps.kafka), f.deps.codec);
    await closed.disconnect();
    const store = pgDeadLetters(f.deps.pool);
    const registry = createRegistry('dlq-admin-closed');
    const app = buildApp(
      { registry, readiness: { draining: false, checks: [] }, pool: f.deps.pool, log: silentLog },
      store,
      createAdminServices({ ...f.deps, publisher: closed, registry, log: silentLog }, store),
    );
    try {
      const [id = ''] = await parkLetters(f, [{}]);
      const res = await app.inject({
        method: 'POST',
        url: `/v1/dead-letters/${id}/replay`,
        headers: { authorization: `Bearer ${f.key}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toEqual({
        error: {
          code: 'dependency_unavailable',
          message: `Kafka did not acknowledge the replay of dead letter ${id} (dependency_unavailable); it is still parked: retry`,
        },
      });
      expect(await statusOf(f, id)).toBe('parked');
      expect(f.collector.records.filter((r) => r.headers['replayed-from'] === id)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('discarding a dead letter', () => {
  it('records who discarded it and why, with a DISCARDED event', async () => {
    const m = message({ channel: 'SMS', priority: 'LOW', address: '+14155550100' });
    const [id = ''] = await parkLetters(f, [{ message: m }]);
    const missing = await call(f, 'POST', `/v1/dead-letters/${id}/discard`, {});
    expect(missing).toEqual(
      expect.objectContaining({
        status: 400,
        body: { error: { code: 'validation_failed', message: 'reason: required', field: 'reason' } },
      }),
    );
    const res = await call(f, 'POST', `/v1/dead-letters/${id}/discard`, { reason: 'customer left' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        id,
        status: 'discarded',
        discardReason: 'customer left',
        discardedBy: expect.stringContaining(f.keyName),
        discardedAt: expect.any(String),
        replayCount: 0,
      }),
    );
    const [event] = await eventsOf(f, m.notificationId, 1);
    expect(event).toEqual(
      expect.objectContaining({ status: 'DISCARDED', channel: 'SMS', reason: 'discarded' }),
    );
    expect(JSON.parse(event?.detail ?? '{}')).toEqual({
      deadLetterId: id,
      by: f.keyName,
      reason: 'customer left',
    });
    const shown = await call(f, 'GET', `/v1/dead-letters/${id}`);
    expect(shown.body).toEqual(
      expect.objectContaining({ status: 'discarded', discardReason: 'customer left' }),
    );

    const again = await call(f, 'POST', `/v1/dead-letters/${id}/discard`, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect((await call(f, 'POST', `/v1/dead-letters/${id}/replay`)).body).toEqual({
      error: {
        code: 'not_parked',
        message: `dead letter ${id} is discarded: only a parked dead letter can be replayed`,
      },
    });
    // Every channel's series is there from the start at 0: SMS's has counted the discard.
    expect(await f.registry.getSingleMetricAsString('herald_dead_letters_discarded_total')).toMatch(
      /herald_dead_letters_discarded_total\{channel="SMS",[^}]*\} [1-9]/,
    );
  });
});

describe('auth and metrics', () => {
  it('needs a key with the admin scope on every route', async () => {
    const [id] = await parkLetters(f, [{}]);
    const routes: ['GET' | 'POST', string, unknown?][] = [
      ['GET', `/v1/dead-letters/${id}`],
      ['POST', `/v1/dead-letters/${id}/replay`],
      ['POST', `/v1/dead-letters/${id}/discard`, { reason: 'x' }],
      ['POST', '/v1/dead-letters/replay', { ids: [id] }],
      ['GET', '/v1/dead-letters/replays/0b8f2d52-3a1c-4e5f-9a7b-1c2d3e4f5a6b'],
    ];
    for (const [method, url, body] of routes) {
      expect((await call(f, method, url, body, null)).status).toBe(401);
      const forbidden = await call(f, method, url, body, f.sendKey);
      expect(forbidden).toEqual(
        expect.objectContaining({
          status: 403,
          body: { error: { code: 'forbidden', message: 'this API key lacks the admin scope' } },
        }),
      );
    }
    expect(await statusOf(f, id ?? '')).toBe('parked');
  });

  it('reports the age of the oldest parked letter', async () => {
    const [id] = await parkLetters(f, [{}]);
    await f.deps.pool.query(`UPDATE dead_letters SET parked_at = now() - interval '2 days' WHERE id = $1`, [
      id,
    ]);
    const res = await f.app.inject({ method: 'GET', url: '/metrics' });
    const age = Number(/^herald_parked_oldest_age_seconds\{[^}]*\} (\S+)$/m.exec(res.body)?.[1]);
    expect(age).toBeGreaterThanOrEqual(2 * 86_400);
  });
});
