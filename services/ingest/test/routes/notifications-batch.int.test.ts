import { randomUUID } from 'node:crypto';
import { createApiKey, createRegistry, metricsFor } from '@herald/shared';
import type {
  Counter,
  FastifyInstance,
  NotificationRequest,
  OutboundRecord,
  Publisher,
  StatusEvent,
} from '@herald/shared';
import { collect, integrationDeps } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { ingestApp } from '../app-fixture';
import { hashRequest } from '../../src/domain/idempotency';
import type { BatchAnswer, BatchIdempotencyRecord } from '../../src/domain/notification-batch';

let deps: IntegrationDeps;
let key: string;

/** Bodies of up to 64 KiB, as in app.int.test.ts; a batch up to 1 MiB: far above the server's limit. */
const BODY_LIMIT = 64 * 1024;
const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

/** The app as main.ts builds it, on the test's real clients; every publish call is recorded. */
function appWith(publisher: Publisher = deps.publisher) {
  const registry = createRegistry('ingest-batch-test');
  const accepted = metricsFor.acceptedRequests(registry);
  const publishes: OutboundRecord[][] = [];
  const app = ingestApp(deps, {
    registry,
    accepted,
    publisher: {
      publish: (records) => {
        publishes.push(records);
        return publisher.publish(records);
      },
    },
    bodyLimit: BODY_LIMIT,
    batchBodyLimit: BATCH_BODY_LIMIT,
  });
  return { app, accepted, publishes };
}

let built: ReturnType<typeof appWith>;

beforeAll(async () => {
  deps = await integrationDeps('ingest-batch');
  key = await createApiKey(deps.pool, 'ingest-batch-test');
  built = appWith();
});

afterAll(async () => {
  await built?.app.close();
  await deps?.close();
});

const send = (app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/v1/notifications/batch',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
const post = (body: unknown, headers: Record<string, string> = {}) => send(built.app, body, headers);

/** Records on the priority and status topics so far: final once a 202 is answered (acks=all). */
async function produced(): Promise<number> {
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const topics = [...(['CRITICAL', 'HIGH', 'NORMAL', 'LOW'] as const).map(deps.topics.priority)];
    let n = 0;
    for (const topic of [...topics, deps.topics.status]) {
      for (const p of await admin.fetchTopicOffsets(topic)) n += Number(p.high);
    }
    return n;
  } finally {
    await admin.disconnect();
  }
}

async function acceptedCount(counter: Counter<'priority' | 'source'>, priority: string): Promise<number> {
  const { values } = await counter.get();
  return values.find((v) => v.labels.priority === priority && v.labels.source === 'http_batch')?.value ?? 0;
}

const items = (n: number, extra: object = {}) =>
  Array.from({ length: n }, (_, i) => ({ userId: `u-${i}`, channels: ['email'], ...extra }));

describe('POST /v1/notifications/batch', () => {
  it('answers each item on its own and produces only the valid ones, one publish per priority', async () => {
    const collector = await collect(deps.kafka, [deps.topics.priority('CRITICAL'), deps.topics.status]);
    const before = await produced();
    const publishesBefore = built.publishes.length;
    const criticalBefore = await acceptedCount(built.accepted, 'CRITICAL');
    try {
      const res = await post({
        notifications: [
          { userId: 'u-1', priority: 'critical', channels: ['email'], data: { a: 1 } },
          { priority: 'high' },
          { userId: 'u-2', channels: ['fax'] },
          { userId: 'u-3', idempotencyKey: 'per-item' },
          'not an object',
          { userId: 'u-4', expiresAt: '2020-01-01T00:00:00Z' },
          { userId: 'u-5', priority: 'critical' },
        ],
      });
      expect(res.statusCode).toBe(202);
      const answer = res.json<BatchAnswer>();
      const rejected = (index: number, field: string, reason: string | RegExp) => ({
        index,
        status: 'rejected',
        error: {
          code: 'validation_failed',
          field,
          message: typeof reason === 'string' ? `${field}: ${reason}` : expect.stringMatching(reason),
        },
      });
      expect(answer).toEqual({
        results: [
          { index: 0, id: expect.any(String), status: 'accepted' },
          rejected(1, 'notifications[1].userId', 'required'),
          rejected(2, 'notifications[2].channels.0', /^notifications\[2\]\.channels\.0: /),
          rejected(3, 'notifications[3].idempotencyKey', 'unknown field'),
          rejected(4, 'notifications[4]', /^notifications\[4\]: .*object/),
          rejected(5, 'notifications[5].expiresAt', 'must be in the future'),
          { index: 6, id: expect.any(String), status: 'accepted' },
        ],
        accepted: 2,
        rejected: 5,
      });
      const ids = answer.results.flatMap((r) => ('id' in r ? [r.id] : []));
      expect(new Set(ids).size).toBe(2);

      // Exactly the accepted items' request and ACCEPTED event each, in one publish (both critical).
      expect(await produced()).toBe(before + 4);
      expect(built.publishes.length).toBe(publishesBefore + 1);
      await collector.waitForCount(deps.topics.priority('CRITICAL'), 2);
      const requests = await collector.decoded<NotificationRequest>(
        deps.codec,
        deps.topics.priority('CRITICAL'),
      );
      expect(requests).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: ids[0], userId: 'u-1', channels: ['EMAIL'], data: '{"a":1}' }),
          expect.objectContaining({ id: ids[1], userId: 'u-5', priority: 'CRITICAL' }),
        ]),
      );
      await collector.waitForCount(deps.topics.status, 2);
      const events = await collector.decoded<StatusEvent>(deps.codec, deps.topics.status);
      expect(events.map((e) => [e.notificationId, e.status, e.service]).sort()).toEqual(
        ids.map((id) => [id, 'ACCEPTED', 'ingest']).sort(),
      );
      expect((await acceptedCount(built.accepted, 'CRITICAL')) - criticalBefore).toBe(2);
    } finally {
      await collector.stop();
    }
  });

  it('accepts 1000 items, in a body over the server limit, with one publish of 2000 records', async () => {
    const before = await produced();
    const publishesBefore = built.publishes.length;
    const normalBefore = await acceptedCount(built.accepted, 'NORMAL');
    const body = { notifications: items(1000, { data: { note: 'n'.repeat(200) } }) };
    expect(JSON.stringify(body).length).toBeGreaterThan(BODY_LIMIT);
    const res = await post(body);
    expect(res.statusCode).toBe(202);
    const answer = res.json<BatchAnswer>();
    expect(answer).toEqual(expect.objectContaining({ accepted: 1000, rejected: 0 }));
    expect(answer.results.map((r) => r.index)).toEqual(items(1000).map((_, i) => i));
    expect(new Set(answer.results.map((r) => ('id' in r ? r.id : null))).size).toBe(1000);
    expect(built.publishes.slice(publishesBefore).map((p) => p.length)).toEqual([2000]);
    expect(await produced()).toBe(before + 2000);
    expect((await acceptedCount(built.accepted, 'NORMAL')) - normalBefore).toBe(1000);
  });

  it('accepts 1000 items for one user with over 1 MiB on one partition (split across produce requests)', async () => {
    const before = await produced();
    const body = { notifications: items(1000, { userId: 'one-user', data: { note: 'n'.repeat(1500) } }) };
    const res = await post(body);
    expect(res.statusCode).toBe(202);
    expect(res.json<BatchAnswer>()).toEqual(expect.objectContaining({ accepted: 1000, rejected: 0 }));
    expect(await produced()).toBe(before + 2000);
  });

  it("publishes critical items on their own, so they never wait for the batch's other items", async () => {
    const publishesBefore = built.publishes.length;
    const res = await post({
      notifications: [
        { userId: 'u-low', priority: 'low' },
        { userId: 'u-crit', priority: 'critical' },
        { userId: 'u-low2', priority: 'low' },
      ],
    });
    expect(res.statusCode).toBe(202);
    const calls = built.publishes.slice(publishesBefore);
    expect(calls.map((c) => c.map((r) => r.topic).sort())).toEqual(
      expect.arrayContaining([
        [deps.topics.priority('CRITICAL'), deps.topics.status],
        [deps.topics.priority('LOW'), deps.topics.priority('LOW'), deps.topics.status, deps.topics.status],
      ]),
    );
    expect(calls).toHaveLength(2);
  });

  it('answers 202 with every item rejected, and produces nothing', async () => {
    const before = await produced();
    const res = await post({ notifications: [{}, { userId: 'bad id' }] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual(expect.objectContaining({ accepted: 0, rejected: 2 }));
    expect(await produced()).toBe(before);
  });

  it.each([
    ['1001 items', { notifications: items(1001) }, 'notifications', /at most 1000/],
    ['no items', { notifications: [] }, 'notifications', /at least 1/],
    ['no notifications', {}, 'notifications', /required/],
    ['notifications not an array', { notifications: { userId: 'u' } }, 'notifications', /array/],
    ['an unknown top-level field', { notifications: items(1), dryRun: true }, 'dryRun', /unknown field/],
    ['a JSON array', items(2), 'body', /object/],
    ['JSON null', 'null', 'body', /object/],
  ])(
    'answers 400 for the whole request with %s, and produces nothing',
    async (_name, body, field, reason) => {
      const before = await produced();
      const res = await post(body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: 'validation_failed', field, message: expect.stringMatching(reason) },
      });
      expect(res.json<{ error: { message: string } }>().error.message).toContain(field);
      expect(await produced()).toBe(before);
    },
  );

  it('answers 400 for no body at all', async () => {
    const res = await built.app.inject({
      method: 'POST',
      url: '/v1/notifications/batch',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.objectContaining({ field: 'body' }) });
  });

  it('answers 413 for a body over the batch limit', async () => {
    const res = await post({ notifications: items(1000, { data: { note: 'n'.repeat(4500) } }) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: { code: 'payload_too_large', message: `request body is larger than ${BATCH_BODY_LIMIT} bytes` },
    });
  });

  it('needs an API key', async () => {
    const res = await built.app.inject({
      method: 'POST',
      url: '/v1/notifications/batch',
      payload: { notifications: items(1) },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('Idempotency-Key on a batch', () => {
  it('replays the stored answer for the same body, producing nothing more', async () => {
    const idem = { 'idempotency-key': `batch-${randomUUID()}` };
    const body = { notifications: [{ userId: 'u-1', data: { x: 1, y: 2 } }, { userId: '' }] };
    const first = await post(body, idem);
    expect(first.statusCode).toBe(202);
    const before = await produced();
    // Same JSON, other key order: the same request.
    const again = await post(
      { notifications: [{ data: { y: 2, x: 1 }, userId: 'u-1' }, { userId: '' }] },
      idem,
    );
    expect(again.statusCode).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(await produced()).toBe(before);
  });

  it('answers 422 for the key reused with another body, on either endpoint', async () => {
    const idem = { 'idempotency-key': `batch-${randomUUID()}` };
    expect((await post({ notifications: items(2) }, idem)).statusCode).toBe(202);
    const other = await post({ notifications: items(3) }, idem);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toEqual({ error: expect.objectContaining({ code: 'idempotency_key_reused' }) });
    const single = await built.app.inject({
      method: 'POST',
      url: '/v1/notifications',
      headers: { authorization: `Bearer ${key}`, ...idem },
      payload: { userId: 'u-0', channels: ['email'] },
    });
    expect(single.statusCode).toBe(422);
  });

  it('answers 409 while the first request holds the key', async () => {
    const idem = `batch-${randomUUID()}`;
    const body = { notifications: items(1) };
    const keyId = (
      await deps.pool.query<{ id: string }>(
        'SELECT id::text AS id FROM api_keys WHERE key_hash = encode(sha256($1), $2)',
        [key, 'hex'],
      )
    ).rows[0]?.id;
    const held: BatchIdempotencyRecord = {
      state: 'pending',
      requestHash: hashRequest(body),
      results: [{ index: 0, id: randomUUID(), status: 'accepted' }],
      at: Date.now(),
    };
    await deps.redis.set(`idem:${keyId}:${idem}`, JSON.stringify(held), 'EX', 60);
    const busy = await post(body, { 'idempotency-key': idem });
    expect(busy.statusCode).toBe(409);
    expect(busy.headers['retry-after']).toBe('1');
  });
});

describe('when Kafka is unreachable', () => {
  it('answers 503 for the whole batch, and the retry resumes it under the same ids', async () => {
    const down = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    down.name = 'KafkaJSConnectionError';
    let kafkaUp = false;
    const flaky = appWith({ publish: (rs) => (kafkaUp ? deps.publisher.publish(rs) : Promise.reject(down)) });
    try {
      const before = await produced();
      const idem = { 'idempotency-key': `batch-${randomUUID()}` };
      const body = { notifications: [...items(3), { userId: 'u-x', channels: ['fax'] }] };
      const failed = await send(flaky.app, body, idem);
      expect(failed.statusCode).toBe(503);
      expect(failed.headers['retry-after']).toBe('1');
      expect(failed.json()).toEqual({
        error: { code: 'dependency_unavailable', message: expect.any(String) },
      });
      expect(await acceptedCount(flaky.accepted, 'NORMAL')).toBe(0);
      expect(flaky.publishes.map((p) => p.length)).toEqual([6]);
      // Without a key as well: no partial success.
      expect((await send(flaky.app, body)).statusCode).toBe(503);

      const [stored] = await deps.redis.mget(await deps.redis.keys(`idem:*:${idem['idempotency-key']}`));
      const record = JSON.parse(stored ?? '{}') as BatchIdempotencyRecord;
      expect(record.state).toBe('failed');
      kafkaUp = true;
      const retried = await send(flaky.app, body, idem);
      expect(retried.statusCode).toBe(202);
      expect(retried.json()).toEqual({ results: record.results, accepted: 3, rejected: 1 });
      expect(await produced()).toBe(before + 6);
      expect(await acceptedCount(flaky.accepted, 'NORMAL')).toBe(3);
    } finally {
      await flaky.app.close();
    }
  });
});
