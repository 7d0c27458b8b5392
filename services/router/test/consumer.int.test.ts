import { randomUUID } from 'node:crypto';
import type { ChannelMessage, InboundRecord, NotificationRequest, StatusEvent } from '@herald/shared';
import { collect, integrationDeps, processOnce, waitFor } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { createRouterProcessor } from '../src/consumer';
import { pgTemplateStore } from '../src/adapters/templates';
import { recordOf, requestFor, routerDeps } from './router-deps';

let deps: IntegrationDeps;
let handle: (record: InboundRecord) => Promise<void>;
const userId = `router-${randomUUID()}`;

beforeAll(async () => {
  deps = await integrationDeps('router');
  await deps.pool.query(
    `INSERT INTO users (id, email, phone, locale) VALUES ($1, 'ada@example.com', NULL, 'de')`,
    [userId],
  );
  await deps.pool.query(
    `INSERT INTO devices (user_id, token, platform) VALUES ($1, 'tok-a', 'ios'), ($1, 'tok-b', 'android')`,
    [userId],
  );
  const processor = createRouterProcessor(routerDeps(deps));
  handle = (record) => processOnce(processor, deps.publisher, record);
});
afterAll(() => deps?.close());

const request = (over: Partial<NotificationRequest> = {}) => requestFor(userId, over);
const asRecord = (r: NotificationRequest) => recordOf(deps, r);

describe('router handler on real Postgres and Kafka', () => {
  it('renders the stored templates and fans out one message per address, with one routed event', async () => {
    const email = deps.topics.channel('EMAIL', 'NORMAL');
    const push = deps.topics.channel('PUSH', 'NORMAL');
    const collector = await collect(deps.kafka, [
      email,
      push,
      deps.topics.status,
      deps.topics.channel('SMS', 'NORMAL'),
    ]);
    try {
      const r = request();
      await handle(await asRecord(r));
      await collector.waitForCount(push, 2);
      await collector.waitForCount(email, 1);
      await collector.waitForCount(deps.topics.status, 1);
      const [mail] = await collector.decoded<ChannelMessage>(deps.codec, email);
      // No German template: English is the fallback; the user's locale is kept on the message.
      expect(mail).toEqual(
        expect.objectContaining({
          notificationId: r.id,
          channel: 'EMAIL',
          address: 'ada@example.com',
          subject: 'Welcome to Herald, Ada!',
          locale: 'de',
        }),
      );
      const pushes = await collector.decoded<ChannelMessage>(deps.codec, push);
      expect(pushes.map((p) => p.address).sort()).toEqual(['tok-a', 'tok-b']);
      expect(collector.records.filter((x) => x.topic === deps.topics.channel('SMS', 'NORMAL'))).toHaveLength(
        0,
      );
      const [routed] = await collector.decoded<StatusEvent>(deps.codec, deps.topics.status);
      expect(routed?.status).toBe('ROUTED');
      expect(JSON.parse(routed?.detail ?? '{}')).toEqual(
        expect.objectContaining({
          userId,
          decisions: [
            { channel: 'EMAIL', decision: 'deliver', addresses: 1 },
            { channel: 'PUSH', decision: 'deliver', addresses: 2 },
          ],
        }),
      );
    } finally {
      await collector.stop();
    }
  });

  it('renders the newest version in the nearest locale; a new version never changes a message already routed', async () => {
    const id = `t-${randomUUID().slice(0, 8)}`;
    const templates = pgTemplateStore(deps.pool, 60_000);
    const processor = createRouterProcessor(routerDeps(deps, { templates }));
    const route = (r: NotificationRequest) =>
      asRecord(r).then((rec) => processOnce(processor, deps.publisher, rec));
    const publish = (locale: string, version: number, body: string) =>
      deps.pool.query(
        `INSERT INTO templates (id, channel, locale, version, body, strict) VALUES ($1, 'PUSH', $2, $3, $4, true)`,
        [id, locale, version, body],
      );
    await publish('en', 1, 'en v1 {{name}}');
    await publish('pt', 1, 'pt v1 {{name}}');
    const push = deps.topics.channel('PUSH', 'NORMAL');
    const collector = await collect(deps.kafka, [push, deps.topics.dlq]);
    try {
      const first = request({ templateId: id, channels: ['PUSH'], locale: 'pt-BR' });
      await route(first);
      await publish('pt', 2, 'pt v2 {{name}}');
      templates.forget(); // as when ingest announces a published template
      const second = request({ templateId: id, channels: ['PUSH'], locale: 'pt-BR' });
      const german = request({ templateId: id, channels: ['PUSH'], locale: 'de' });
      await route(second);
      await route(german);
      const names = new Map([
        [first.id, 'first'],
        [second.id, 'second'],
        [german.id, 'de'],
      ]);
      // The push topic holds the other tests' messages too: only these three notifications count.
      const mine = async () =>
        (await collector.decoded<ChannelMessage>(deps.codec, push)).filter((m) =>
          names.has(m.notificationId),
        );
      const messages = await waitFor('six pushes', async () =>
        (await mine()).length >= 6 ? mine() : undefined,
      );
      const bodies = messages.map((m) => `${names.get(m.notificationId)}: ${m.body}`);
      expect([...new Set(bodies)].sort()).toEqual(['de: en v1 Ada', 'first: pt v1 Ada', 'second: pt v2 Ada']);

      // Strict: a variable the data lacks parks the request, nothing half-rendered is sent.
      const lacking = request({ templateId: id, channels: ['PUSH'], data: JSON.stringify({ other: 1 }) });
      await route(lacking);
      const parked = await waitFor('the parked request', () =>
        collector.records.find(
          (r) => r.topic === deps.topics.dlq && r.key === userId && r.headers.error?.includes(id),
        ),
      );
      expect(parked.headers).toEqual(
        expect.objectContaining({
          'error-class': 'permanent',
          error: expect.stringMatching(/^invalid_template: .*"name" not defined/) as string,
        }),
      );
      expect(
        (await collector.decoded<ChannelMessage>(deps.codec, push)).some(
          (m) => m.notificationId === lacking.id,
        ),
      ).toBe(false);
    } finally {
      await collector.stop();
    }
  });

  it('parks a request whose template does not exist, with the reason', async () => {
    const collector = await collect(deps.kafka, [deps.topics.dlq]);
    try {
      await handle(await asRecord(request({ templateId: 'no-such-template', channels: ['EMAIL'] })));
      await collector.waitForCount(deps.topics.dlq, 1);
      expect(collector.records[0]?.headers).toEqual(
        expect.objectContaining({
          'error-class': 'permanent',
          error: expect.stringMatching(/^invalid_template: /),
        }),
      );
    } finally {
      await collector.stop();
    }
  });

  it('hands a request whose sendAt is ahead to the delay engine, bound for its priority topic', async () => {
    const collector = await collect(deps.kafka, [deps.topics.delay('30s'), deps.topics.status]);
    try {
      const sendAt = Date.now() + 45_000;
      const r = request({ sendAt, priority: 'HIGH' });
      const record = await asRecord(r);
      await handle({ ...record, headers: { traceparent: '00-abc-def-01' } });
      await collector.waitForCount(deps.topics.delay('30s'), 1);
      const delayed = collector.records.filter((c) => c.topic === deps.topics.delay('30s'));
      expect(delayed[0]?.headers).toEqual({
        traceparent: '00-abc-def-01',
        'due-at': new Date(sendAt).toISOString(),
        'target-topic': deps.topics.priority('HIGH'),
      });
      expect(delayed[0]?.key).toBe(userId);
      expect(delayed[0]?.value?.equals(record.value ?? Buffer.alloc(0))).toBe(true);
      const event = await waitFor('the deferred event', async () =>
        (await collector.decoded<StatusEvent>(deps.codec, deps.topics.status)).find(
          (e) => e.notificationId === r.id,
        ),
      );
      expect(event).toEqual(
        expect.objectContaining({ notificationId: r.id, status: 'DEFERRED', reason: 'send_at' }),
      );
      expect(JSON.parse(event.detail ?? '{}')).toEqual(
        expect.objectContaining({ userId, until: new Date(sendAt).toISOString() }),
      );
    } finally {
      await collector.stop();
    }
  });

  it('routes a request whose sendAt has come, and expires one whose expiry comes before its sendAt', async () => {
    const collector = await collect(deps.kafka, [deps.topics.status]);
    try {
      const due = request({ sendAt: Date.now() - 1, channels: ['EMAIL'] });
      const hopeless = request({ sendAt: Date.now() + 60_000, expiresAt: Date.now() + 30_000 });
      await handle(await asRecord(due));
      await handle(await asRecord(hopeless));
      const events = await waitFor('both events', async () => {
        const all = await collector.decoded<StatusEvent>(deps.codec, deps.topics.status);
        const mine = all.filter((e) => e.notificationId === due.id || e.notificationId === hopeless.id);
        return mine.length === 2 ? mine : undefined;
      });
      expect(events.find((e) => e.notificationId === due.id)?.status).toBe('ROUTED');
      expect(events.find((e) => e.notificationId === hopeless.id)?.status).toBe('EXPIRED');
    } finally {
      await collector.stop();
    }
  });
});
