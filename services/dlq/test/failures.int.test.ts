import { randomUUID } from 'node:crypto';
import {
  DEFAULT_DELAY_TIERS,
  DEFAULT_RETRY_POLICY,
  HeraldError,
  createApiKey,
  createRegistry,
  failureHeaders,
  metricsFor,
  parseTiers,
} from '@herald/shared';
import type { ChannelMessage, InboundRecord, StatusEvent } from '@herald/shared';
import { collect, integrationDeps, processOnce, silentLog, waitFor } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { createAdminServices } from '../src/admin';
import { buildApp } from '../src/app';
import { createFailureProcessor } from '../src/failures';
import type { FailureDeps } from '../src/failures';
import { pgDeadLetters } from '../src/adapters/dead-letters';

let deps: IntegrationDeps;
let handle: (record: InboundRecord) => Promise<void>;
const log = silentLog;

/** The failure processor on the test's Kafka and Postgres, with the default policy unless told. */
function failureProcessor(over: Partial<FailureDeps> = {}) {
  const registry = createRegistry('dlq-test');
  return createFailureProcessor({
    codec: deps.codec,
    topics: deps.topics,
    tiers: parseTiers(DEFAULT_DELAY_TIERS),
    policies: {
      default: DEFAULT_RETRY_POLICY,
      byChannel: { EMAIL: DEFAULT_RETRY_POLICY, SMS: DEFAULT_RETRY_POLICY, PUSH: DEFAULT_RETRY_POLICY },
    },
    deadLetters: pgDeadLetters(deps.pool),
    clock: Date.now,
    random: () => 0.5,
    log,
    metrics: {
      parked: metricsFor.parked(registry),
      decisions: metricsFor.retryDecisions(registry),
      scheduled: metricsFor.delayScheduled(registry),
    },
    ...over,
  });
}

beforeAll(async () => {
  deps = await integrationDeps('dlq');
  const processor = failureProcessor();
  handle = (record) => processOnce(processor, deps.publisher, record);
});
afterAll(() => deps?.close());

describe('dlq handler on real Postgres and Kafka', () => {
  it('parks a failed channel message once, copies it to notify.parked and closes its timeline', async () => {
    const message: ChannelMessage = {
      notificationId: randomUUID(),
      userId: 'u',
      category: 'c',
      channel: 'PUSH',
      priority: 'HIGH',
      address: 'tok',
      subject: null,
      title: 't',
      body: 'b',
      html: null,
      data: '',
      locale: null,
      createdAt: Date.now(),
      expiresAt: null,
    };
    const source = deps.topics.channel('PUSH', 'HIGH');
    const value = await deps.codec.encode(source, message);
    const headers = failureHeaders(new HeraldError('unregistered_token', 'FCM: UNREGISTERED'), {
      sourceTopic: source,
      previous: {},
      now: Date.now(),
    });
    const record = {
      topic: deps.topics.dlq,
      partition: 1,
      offset: '41',
      key: Buffer.from('u'),
      value,
      headers,
      timestamp: '0',
    };
    const collector = await collect(deps.kafka, [deps.topics.parked, deps.topics.status]);
    try {
      await handle(record);
      await handle(record); // a redelivery
      await collector.waitForCount(deps.topics.parked, 2);
      await collector.waitForCount(deps.topics.status, 2);
      const { rows } = await deps.pool.query(
        'SELECT reason, error_class, attempts, channel, target_topic, payload FROM dead_letters WHERE notification_id = $1',
        [message.notificationId],
      );
      expect(rows).toEqual([
        {
          reason: 'unregistered_token',
          error_class: 'permanent',
          attempts: 1,
          channel: 'PUSH',
          target_topic: source,
          payload: value,
        },
      ]);
      expect(collector.records.find((r) => r.topic === deps.topics.parked)?.headers['parked-reason']).toBe(
        'unregistered_token',
      );
      const events = await collector.decoded<StatusEvent>(deps.codec, deps.topics.status);
      expect(events[0]).toEqual(
        expect.objectContaining({ status: 'PARKED', channel: 'PUSH', reason: 'unregistered_token' }),
      );
      expect(events[1]?.eventId).toBe(events[0]?.eventId);

      const registry = createRegistry('dlq-test-app');
      const app = buildApp(
        { registry, readiness: { draining: false, checks: [] }, pool: deps.pool, log },
        pgDeadLetters(deps.pool),
        createAdminServices({ ...deps, registry, log }, pgDeadLetters(deps.pool)),
      );
      const key = await createApiKey(deps.pool, 'dlq-test', ['admin']);
      const sendOnly = await createApiKey(deps.pool, 'dlq-test-send');
      const list = await app.inject({
        method: 'GET',
        url: `/v1/dead-letters?notificationId=${message.notificationId}`,
        headers: { authorization: `Bearer ${key}` },
      });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({
        deadLetters: [
          expect.objectContaining({
            reason: 'unregistered_token',
            channel: 'PUSH',
            payloadBytes: value.length,
          }),
        ],
        next: null,
      });
      expect(
        (
          await app.inject({
            method: 'GET',
            url: '/v1/dead-letters?limit=0',
            headers: { authorization: `Bearer ${key}` },
          })
        ).statusCode,
      ).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/v1/dead-letters' })).statusCode).toBe(401);
      const forbidden = await app.inject({
        method: 'GET',
        url: '/v1/dead-letters',
        headers: { authorization: `Bearer ${sendOnly}` },
      });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json()).toEqual({
        error: { code: 'forbidden', message: 'this API key lacks the admin scope' },
      });
      await app.close();
    } finally {
      await collector.stop();
    }
  });

  it('parks garbage without a notification', async () => {
    const record = {
      topic: deps.topics.dlq,
      partition: 0,
      offset: String(Date.now()),
      key: null,
      value: Buffer.from('junk'),
      headers: {},
      timestamp: '0',
    };
    await handle(record);
    const { rows } = await deps.pool.query(
      'SELECT reason, notification_id FROM dead_letters WHERE source_topic = $1 AND source_offset = $2',
      [deps.topics.dlq, record.offset],
    );
    expect(rows).toEqual([{ reason: 'unknown', notification_id: null }]);
  });

  it('stores a batch of dead letters in one insert; one that Postgres refuses is still parked, with the refusal', async () => {
    const processor = failureProcessor();
    const source = deps.topics.channel('EMAIL', 'LOW');
    const base = Date.now() * 10;
    const failed = async (offset: number, extra: Record<string, string> = {}) => {
      const message: ChannelMessage = {
        notificationId: randomUUID(),
        userId: 'u',
        category: 'c',
        channel: 'EMAIL',
        priority: 'LOW',
        address: 'a@example.com',
        subject: 's',
        title: null,
        body: 'b',
        html: null,
        data: '',
        locale: null,
        createdAt: Date.now(),
        expiresAt: null,
      };
      const record: InboundRecord = {
        topic: deps.topics.dlq,
        partition: 2,
        offset: String(base + offset),
        key: Buffer.from('u'),
        value: await deps.codec.encode(source, message),
        headers: {
          ...failureHeaders(new HeraldError('provider_rejected', 'no'), {
            sourceTopic: source,
            previous: {},
            now: Date.now(),
          }),
          ...extra,
        },
        timestamp: '0',
      };
      return { id: message.notificationId, record };
    };
    /** What the engine does with a fetched batch: prepare it once, then handle and produce each record. */
    const processBatch = async (records: InboundRecord[]): Promise<void> => {
      const context = await processor.prepare?.(records);
      for (const record of records) {
        const outcome = await processor.handle(record, context);
        await deps.publisher.publish(outcome.records);
      }
    };
    const stored = async (ids: string[]): Promise<string[]> =>
      (
        await deps.pool.query<{ id: string }>(
          'SELECT notification_id AS id FROM dead_letters WHERE notification_id = ANY($1) ORDER BY source_offset',
          [ids],
        )
      ).rows.map((r) => r.id);
    const inserts = jest.spyOn(deps.pool, 'query');
    const insertCount = (): number =>
      inserts.mock.calls.filter(
        ([sql]) => typeof sql === 'string' && sql.includes('INSERT INTO dead_letters'),
      ).length;
    const collector = await collect(deps.kafka, [deps.topics.parked, deps.topics.status]);
    try {
      const good = await Promise.all([0, 1, 2].map((i) => failed(i)));
      await processBatch(good.map((g) => g.record));
      expect(insertCount()).toBe(1);
      expect(await stored(good.map((g) => g.id))).toEqual(good.map((g) => g.id));

      // jsonb refuses a NUL character: Postgres rejects the letter for its data, not for an outage.
      inserts.mockClear();
      const mixed = [await failed(3), await failed(4, { note: 'a\u0000b' }), await failed(5)];
      const refused = mixed[1]?.id ?? '';
      await processBatch(mixed.map((m) => m.record));
      expect(insertCount()).toBe(4); // the batch, then each letter on its own
      expect(await stored(mixed.map((m) => m.id))).toEqual([mixed[0]?.id, mixed[2]?.id]);

      // The refused letter is parked and closes its timeline all the same: nothing loops.
      const parked = await waitFor('the parked copy', () =>
        collector.records.find((r) => r.topic === deps.topics.parked && r.headers['not-stored']),
      );
      expect(parked.headers['not-stored']).toMatch(/unsupported Unicode escape sequence/);
      const events = await waitFor('the parked events', async () => {
        const all = await collector.decoded<StatusEvent>(deps.codec, deps.topics.status);
        const mine = all.filter((e) => [...good, ...mixed].some((m) => m.id === e.notificationId));
        return mine.length === 6 ? mine : undefined;
      });
      expect(events.every((e) => e.status === 'PARKED')).toBe(true);
      expect(events.some((e) => e.notificationId === refused)).toBe(true);
    } finally {
      inserts.mockRestore();
      await collector.stop();
    }
  });
});

describe('the retry engine on real Postgres and Kafka', () => {
  const source = () => deps.topics.channel('EMAIL', 'HIGH');
  const message = (over: Partial<ChannelMessage> = {}): ChannelMessage => ({
    notificationId: randomUUID(),
    userId: 'u-retry',
    category: 'c',
    channel: 'EMAIL',
    priority: 'HIGH',
    address: 'a@example.com',
    subject: 's',
    title: null,
    body: 'b',
    html: null,
    data: '',
    locale: null,
    createdAt: Date.now(),
    expiresAt: null,
    ...over,
  });
  let offset = Date.now() * 10;
  const failed = async (m: ChannelMessage, err: HeraldError, previous: Record<string, string> = {}) => ({
    topic: deps.topics.dlq,
    partition: 3,
    offset: String(offset++),
    key: Buffer.from(m.userId),
    value: await deps.codec.encode(source(), m),
    headers: {
      ...previous,
      ...failureHeaders(err, {
        sourceTopic: source(),
        previous: {
          attempt: previous.attempt,
          failures: previous.failures,
          targetTopic: previous['target-topic'],
        },
        now: Date.now(),
      }),
    },
    timestamp: '0',
  });
  const deadLetters = async (id: string) =>
    (
      await deps.pool.query<{ attempts: number; first_error: string; last_error: string; reason: string }>(
        'SELECT attempts, first_error, last_error, reason FROM dead_letters WHERE notification_id = $1',
        [id],
      )
    ).rows;
  const eventsOf = async (collector: Awaited<ReturnType<typeof collect>>, id: string, n: number) =>
    waitFor(`${n} event(s) of ${id}`, async () => {
      const mine = (await collector.decoded<StatusEvent>(deps.codec, deps.topics.status)).filter(
        (e) => e.notificationId === id,
      );
      return mine.length >= n ? mine : undefined;
    });

  it('hands a transient failure to the delay tiers, due after the backoff, with a retrying event', async () => {
    const collector = await collect(deps.kafka, [deps.topics.delay('1s'), deps.topics.status]);
    try {
      const m = message();
      const before = Date.now();
      await handle(await failed(m, new HeraldError('provider_unavailable', 'HTTP 503')));
      const delayed = await waitFor('the delayed record', () =>
        collector.records.find((r) => r.topic === deps.topics.delay('1s') && r.key === m.userId),
      );
      // Attempt 1 waits at most base·2^0 = 1 s; with random 0.5, 500 ms: the 1s tier, held until due.
      const due = Date.parse(delayed.headers['due-at'] ?? '');
      expect(due).toBeGreaterThanOrEqual(before + 500);
      expect(due).toBeLessThanOrEqual(Date.now() + 500);
      expect(delayed.headers).toEqual(
        expect.objectContaining({
          'target-topic': source(),
          'retry-delay-ms': '500',
          attempt: '1',
          error: 'provider_unavailable: HTTP 503',
        }),
      );
      const [event] = await eventsOf(collector, m.notificationId, 1);
      expect(event).toEqual(
        expect.objectContaining({ status: 'RETRYING', channel: 'EMAIL', reason: 'provider_unavailable' }),
      );
      expect(JSON.parse(event?.detail ?? '{}')).toEqual({
        attempt: 1,
        error: 'provider_unavailable: HTTP 503',
        nextAttemptAt: new Date(due).toISOString(),
      });
      expect(await deadLetters(m.notificationId)).toEqual([]);
    } finally {
      await collector.stop();
    }
  });

  it('parks once the attempts are exhausted, with the first and the last error', async () => {
    const collector = await collect(deps.kafka, [deps.topics.status]);
    try {
      const m = message();
      const history = [1, 2, 3, 4, 5, 6, 7].map((attempt) => ({
        attempt,
        at: new Date().toISOString(),
        error: attempt === 1 ? 'provider_unavailable: first' : 'provider_unavailable: again',
      }));
      await handle(
        await failed(m, new HeraldError('provider_unavailable', 'last'), {
          attempt: '7',
          failures: JSON.stringify(history),
          'target-topic': source(),
        }),
      );
      const [event] = await eventsOf(collector, m.notificationId, 1);
      expect(event?.status).toBe('PARKED');
      expect(await deadLetters(m.notificationId)).toEqual([
        {
          attempts: 8,
          first_error: 'provider_unavailable: first',
          last_error: 'provider_unavailable: last',
          reason: 'provider_unavailable',
        },
      ]);
    } finally {
      await collector.stop();
    }
  });

  it('ends expired a message whose expiry comes before its next attempt, without parking it', async () => {
    const collector = await collect(deps.kafka, [deps.topics.status]);
    try {
      const m = message({ expiresAt: Date.now() + 100 });
      await handle(await failed(m, new HeraldError('provider_unavailable', 'HTTP 503')));
      const [event] = await eventsOf(collector, m.notificationId, 1);
      expect(event).toEqual(expect.objectContaining({ status: 'EXPIRED', reason: 'expired' }));
      expect(await deadLetters(m.notificationId)).toEqual([]);
    } finally {
      await collector.stop();
    }
  });

  it('parks a failure bound for a topic the engine must not write to, instead of retrying it', async () => {
    const m = message();
    await handle(
      await failed(m, new HeraldError('provider_unavailable', 'HTTP 503'), {
        'target-topic': deps.topics.status,
      }),
    );
    expect(await deadLetters(m.notificationId)).toEqual([
      expect.objectContaining({ reason: 'provider_unavailable', attempts: 1 }),
    ]);
  });
});
