import { randomUUID } from 'node:crypto';
import { createApiKey, createRegistry, metricsFor, statusEvent } from '@herald/shared';
import type { Admin, FastifyInstance, NotificationRequest, Publisher, StatusEvent } from '@herald/shared';
import { collect, integrationDeps, waitFor, silentLog } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { ingestApp } from './app-fixture';
import { hashRequest } from '../src/domain/idempotency';
import { startStatusProjection } from '../src/adapters/status-projection';
import type { StatusProjection } from '../src/adapters/status-projection';

let deps: IntegrationDeps;
let app: FastifyInstance;
let key: string;
let projection: StatusProjection;
let lagAdmin: Admin;
const log = silentLog;

/** The app as main.ts builds it, on the test's real clients, with the publisher given. */
function appWith(publisher: Publisher): FastifyInstance {
  return ingestApp(deps, { publisher });
}

beforeAll(async () => {
  deps = await integrationDeps('ingest');
  const registry = createRegistry('ingest-test');
  app = appWith(deps.publisher);
  key = await createApiKey(deps.pool, 'ingest-test');
  lagAdmin = deps.kafka.admin();
  await lagAdmin.connect();
  projection = await startStatusProjection({
    kafka: deps.kafka,
    consumerOptions: { sessionTimeout: 6000, heartbeatInterval: 1000 },
    groupId: `${deps.prefix}status`,
    topics: deps.topics,
    codec: deps.codec,
    publisher: deps.publisher,
    pool: deps.pool,
    log,
    concurrency: 1000,
    clock: Date.now,
    lag: { admin: lagAdmin, gauge: metricsFor.consumerLag(registry), intervalMs: 60_000, log },
    metrics: {
      projected: metricsFor.statusEventsProjected(registry),
      lag: metricsFor.statusProjectionLag(registry),
    },
  });
});

afterAll(async () => {
  await projection?.stop();
  await lagAdmin?.disconnect();
  await app?.close();
  await deps?.close();
});

const auth = () => ({ authorization: `Bearer ${key}` });
const post = (body: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/v1/notifications',
    headers: { ...auth(), ...headers },
    payload: body as object,
  });

describe('POST /v1/notifications', () => {
  it('answers 202 and produces the request to its priority topic and an accepted event', async () => {
    const collector = await collect(deps.kafka, [deps.topics.priority('CRITICAL'), deps.topics.status]);
    try {
      const res = await post({ userId: 'u-1', priority: 'critical', channels: ['email'], data: { a: 1 } });
      expect(res.statusCode).toBe(202);
      const { id, status } = res.json<{ id: string; status: string }>();
      expect(status).toBe('accepted');
      await collector.waitForCount(deps.topics.priority('CRITICAL'), 1);
      const [request] = await collector.decoded<NotificationRequest>(
        deps.codec,
        deps.topics.priority('CRITICAL'),
      );
      expect(request).toEqual(
        expect.objectContaining({
          id,
          userId: 'u-1',
          priority: 'CRITICAL',
          channels: ['EMAIL'],
          data: '{"a":1}',
        }),
      );
      expect(collector.records.find((r) => r.topic === deps.topics.priority('CRITICAL'))?.key).toBe('u-1');
      await collector.waitForCount(deps.topics.status, 1);
      const events = await collector.decoded<StatusEvent>(deps.codec, deps.topics.status);
      expect(events).toContainEqual(
        expect.objectContaining({ notificationId: id, status: 'ACCEPTED', service: 'ingest' }),
      );
    } finally {
      await collector.stop();
    }
  });

  it('refuses a missing, malformed or unknown API key with 401', async () => {
    const none = await app.inject({ method: 'POST', url: '/v1/notifications', payload: { userId: 'u' } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({
      error: { code: 'unauthorized', message: expect.stringContaining('Bearer') },
    });
    const wrong = await post({ userId: 'u' }, { authorization: 'Bearer hk_nope' });
    expect(wrong.statusCode).toBe(401);
    const basic = await post({ userId: 'u' }, { authorization: 'Basic abc' });
    expect(basic.statusCode).toBe(401);
  });

  it('answers 400 naming the field', async () => {
    const res = await post({ userId: 'u', channels: ['fax'] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'validation_failed',
        field: 'channels.0',
        message: expect.stringContaining('channels.0'),
      },
    });
    const past = await post({ userId: 'u', expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.json()).toEqual({ error: expect.objectContaining({ field: 'expiresAt' }) });
  });

  it('answers 400 for a body that is not JSON, and 413 for one too large', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/notifications',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"userId":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: expect.objectContaining({ code: 'validation_failed' }) });
    const big = await post({ userId: 'u', data: { blob: 'x'.repeat(70 * 1024) } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ error: expect.objectContaining({ code: 'payload_too_large' }) });
  });

  it('answers 400, not 500, for an Idempotency-Key without a body, and claims nothing', async () => {
    const idem = { 'idempotency-key': `k-${randomUUID()}` };
    const res = await app.inject({
      method: 'POST',
      url: '/v1/notifications',
      headers: { ...auth(), ...idem },
    });
    expect(res.statusCode).toBe(400);
    expect((await post({ userId: 'u-4' }, idem)).statusCode).toBe(202);
  });

  it('honours Idempotency-Key: same body replays, another body is 422', async () => {
    const idem = { 'idempotency-key': `k-${randomUUID()}` };
    const first = await post({ userId: 'u-2', data: { x: 1, y: 2 } }, idem);
    expect(first.statusCode).toBe(202);
    // Same JSON, other key order: the same request.
    const again = await post({ data: { y: 2, x: 1 }, userId: 'u-2' }, idem);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await post({ userId: 'u-3' }, idem);
    expect(other.statusCode).toBe(422);
    expect(other.json()).toEqual({ error: expect.objectContaining({ code: 'idempotency_key_reused' }) });
  });
});

describe('when Kafka is unreachable', () => {
  it('answers 503 with Retry-After and frees the Idempotency-Key for the retry', async () => {
    const down = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    down.name = 'KafkaJSConnectionError';
    let kafkaUp = false;
    const flaky = appWith({ publish: (rs) => (kafkaUp ? deps.publisher.publish(rs) : Promise.reject(down)) });
    const send = () =>
      flaky.inject({
        method: 'POST',
        url: '/v1/notifications',
        headers: { ...auth(), 'idempotency-key': `retry-${randomUUID()}` },
        payload: { userId: 'u-down' },
      });
    const idem = `retry-${randomUUID()}`;
    const sendSame = () =>
      flaky.inject({
        method: 'POST',
        url: '/v1/notifications',
        headers: { ...auth(), 'idempotency-key': idem },
        payload: { userId: 'u-down' },
      });
    const failed = await sendSame();
    expect(failed.statusCode).toBe(503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(failed.json()).toEqual({ error: { code: 'dependency_unavailable', message: expect.any(String) } });
    expect((await send()).statusCode).toBe(503);
    kafkaUp = true;
    const [stored] = await deps.redis.mget(await deps.redis.keys(`idem:*:${idem}`));
    const failedRecord = JSON.parse(stored ?? '{}') as { state: string; notificationId: string };
    expect(failedRecord.state).toBe('failed');
    const retried = await sendSame();
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toEqual({ id: failedRecord.notificationId, status: 'accepted' });
    // The retry keeps the id the failed attempt had: had it reached Kafka after all, the
    // dispatchers' delivery keys would keep the user from getting it twice.
    const again = await sendSame();
    expect(again.json()).toEqual(retried.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    await flaky.close();
  });
});

describe('Idempotency-Key held by a request whose server died', () => {
  it('is taken over after the lease, under the id the first attempt had', async () => {
    const idem = `stale-${randomUUID()}`;
    const body = { userId: 'u-stale' };
    const keyId = (
      await deps.pool.query<{ id: string }>(
        'SELECT id::text AS id FROM api_keys WHERE key_hash = encode(sha256($1), $2)',
        [key, 'hex'],
      )
    ).rows[0]?.id;
    const firstId = randomUUID();
    await deps.redis.set(
      `idem:${keyId}:${idem}`,
      JSON.stringify({
        state: 'pending',
        requestHash: hashRequest(body),
        notificationId: firstId,
        at: Date.now() - 31_000,
      }),
      'EX',
      60,
    );
    const res = await post(body, { 'idempotency-key': idem });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: firstId, status: 'accepted' });
    await deps.redis.set(
      `idem:${keyId}:${idem}-fresh`,
      JSON.stringify({
        state: 'pending',
        requestHash: hashRequest(body),
        notificationId: firstId,
        at: Date.now(),
      }),
      'EX',
      60,
    );
    const busy = await post(body, { 'idempotency-key': `${idem}-fresh` });
    expect(busy.statusCode).toBe(409);
    expect(busy.headers['retry-after']).toBe('1');
  });
});

describe('users and devices', () => {
  it('creates (201), replaces (200), reads and validates users', async () => {
    const id = `user-${randomUUID()}`;
    const put = (body: object) =>
      app.inject({ method: 'PUT', url: `/v1/users/${id}`, headers: auth(), payload: body });
    expect((await put({ email: 'ada@example.com', timezone: 'Europe/Paris' })).statusCode).toBe(201);
    expect((await put({ email: 'ada@example.com', phone: '+14155550100', locale: 'fr' })).statusCode).toBe(
      200,
    );
    const bad = await put({ timezone: 'Mars/Olympus' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: expect.objectContaining({ field: 'timezone' }) });

    const device = await app.inject({
      method: 'POST',
      url: `/v1/users/${id}/devices`,
      headers: auth(),
      payload: { token: 'tok-1', platform: 'ios' },
    });
    expect(device.statusCode).toBe(201);
    const got = await app.inject({ method: 'GET', url: `/v1/users/${id}`, headers: auth() });
    expect(got.json()).toEqual({
      id,
      email: 'ada@example.com',
      phone: '+14155550100',
      locale: 'fr',
      timezone: 'UTC',
      devices: [{ token: 'tok-1', platform: 'ios', createdAt: expect.any(String) }],
    });
    const gone = await app.inject({
      method: 'DELETE',
      url: `/v1/users/${id}/devices/tok-1`,
      headers: auth(),
    });
    expect(gone.statusCode).toBe(204);
  });

  it('answers 404 for a device of a user that does not exist', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/users/nobody-here/devices',
      headers: auth(),
      payload: { token: 't', platform: 'web' },
    });
    expect(res.statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/users/nobody-here', headers: auth() })).statusCode,
    ).toBe(404);
  });
});

describe('GET /v1/notifications/:id', () => {
  it('serves the timeline projected from notify.status, once per event', async () => {
    const id = randomUUID();
    const at = Date.now();
    const routed = statusEvent({
      notificationId: id,
      status: 'ROUTED',
      service: 'router',
      at: at + 1,
      detail: {
        userId: 'u-9',
        category: 'c',
        priority: 'LOW',
        createdAt: at,
        decisions: [{ channel: 'SMS', decision: 'deliver' }],
      },
    });
    const sent = statusEvent({
      notificationId: id,
      status: 'SENT',
      channel: 'SMS',
      service: 'dispatcher-sms',
      at: at + 2,
      providerMessageId: 'SM1',
    });
    // The sent event twice, as a redelivery would: projected once.
    await deps.publisher.publish(
      [routed, sent, sent].map((value) => ({ topic: deps.topics.status, key: id, value })),
    );

    const view = await waitFor('the projected timeline', async () => {
      const res = await app.inject({ method: 'GET', url: `/v1/notifications/${id}`, headers: auth() });
      const body = res.json<{ channels?: { sms?: { status: string } } }>();
      return res.statusCode === 200 && body.channels?.sms?.status === 'sent' ? body : undefined;
    });
    expect(view).toEqual(
      expect.objectContaining({
        id,
        userId: 'u-9',
        priority: 'low',
        channels: {
          sms: {
            status: 'sent',
            timeline: [
              { status: 'routed', at: new Date(at + 1).toISOString() },
              { status: 'sent', at: new Date(at + 2).toISOString(), providerMessageId: 'SM1' },
            ],
          },
        },
      }),
    );
  });

  it('parks status events it cannot store and goes on with the rest of the batch', async () => {
    const id = randomUUID();
    const at = Date.now();
    const collector = await collect(deps.kafka, [deps.topics.dlq]);
    try {
      const badId = {
        ...statusEvent({ notificationId: id, status: 'SENT', service: 't', at }),
        notificationId: 'order-42',
      };
      // Valid for Avro, refused by Postgres (NUL in text): only this event must be set aside.
      const unstorable = statusEvent({
        notificationId: randomUUID(),
        status: 'ACCEPTED',
        service: 't',
        at,
        detail: { userId: 'u', category: 'bad\u0000category' },
      });
      const good = statusEvent({
        notificationId: id,
        status: 'ROUTED',
        service: 'router',
        at: at + 1,
        detail: { userId: 'u-ok', decisions: [] },
      });
      await deps.publisher.publish(
        [badId, unstorable, good].map((value) => ({ topic: deps.topics.status, key: id, value })),
      );
      await collector.waitForCount(deps.topics.dlq, 2);
      expect(collector.records.map((r) => r.headers.error)).toEqual([
        expect.stringMatching(/^malformed_payload: notificationId is not a UUID/),
        expect.stringMatching(/^malformed_payload: not storable/),
      ]);
      await waitFor('the good event projected', async () => {
        const res = await app.inject({ method: 'GET', url: `/v1/notifications/${id}`, headers: auth() });
        // Routed to no channel at all: nothing will be sent, and the summary says so.
        return res.statusCode === 200 && res.json<{ status: string }>().status === 'suppressed';
      });
    } finally {
      await collector.stop();
    }
  });

  it('answers 404 for an unknown id and 400 for one that is not a UUID', async () => {
    expect(
      (await app.inject({ method: 'GET', url: `/v1/notifications/${randomUUID()}`, headers: auth() }))
        .statusCode,
    ).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/v1/notifications/42', headers: auth() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: expect.objectContaining({ field: 'id' }) });
  });
});
