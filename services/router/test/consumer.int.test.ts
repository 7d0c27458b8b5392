import { randomUUID } from 'node:crypto';
import { createRegistry, metricsFor } from '@herald/shared';
import type { ChannelMessage, InboundRecord, NotificationRequest, StatusEvent } from '@herald/shared';
import { collect, integrationDeps, processOnce, silentLog } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { createRouterProcessor } from '../src/consumer';
import { pgTemplateStore } from '../src/adapters/templates';
import { pgUserDirectory } from '../src/adapters/users';

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
  const processor = createRouterProcessor({
    codec: deps.codec,
    topics: deps.topics,
    users: pgUserDirectory(deps.pool),
    templates: pgTemplateStore(deps.pool, 1000),
    clock: Date.now,
    log: silentLog,
    metrics: { decisions: metricsFor.routerDecisions(createRegistry('router-test')) },
  });
  handle = (record) => processOnce(processor, deps.publisher, record);
});
afterAll(() => deps?.close());

function request(over: Partial<NotificationRequest> = {}): NotificationRequest {
  return {
    id: randomUUID(),
    userId,
    category: 'account',
    priority: 'NORMAL',
    templateId: 'welcome',
    channels: null,
    data: JSON.stringify({ name: 'Ada', product: 'Herald' }),
    dedupKey: null,
    createdAt: Date.now(),
    sendAt: null,
    expiresAt: null,
    to: null,
    locale: null,
    ...over,
  };
}

async function asRecord(r: NotificationRequest): Promise<InboundRecord> {
  const topic = deps.topics.priority(r.priority);
  return {
    topic,
    partition: 0,
    offset: '0',
    key: Buffer.from(r.userId),
    value: await deps.codec.encode(topic, r),
    headers: {},
    timestamp: '0',
  };
}

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
});
