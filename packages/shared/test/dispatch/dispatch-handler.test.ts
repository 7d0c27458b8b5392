import { Registry } from 'prom-client';
import pino from 'pino';
import { HeraldError, createDispatchHandler, metricsFor, topicNames } from '@herald/shared';
import type {
  ChannelMessage,
  ChannelSender,
  Codec,
  DeliveryKeyStore,
  InboundRecord,
  OutboundRecord,
  StatusEvent,
} from '@herald/shared';

const NOW = Date.UTC(2026, 10, 22, 12);

const message = (over: Partial<ChannelMessage> = {}): ChannelMessage => ({
  notificationId: '0b8f2d52-6f0e-4a53-9a55-2f5a1d1f0d11',
  userId: 'u1',
  category: 'account',
  channel: 'EMAIL',
  priority: 'HIGH',
  address: 'ada@example.com',
  subject: 'Hi',
  title: null,
  body: 'Hello',
  html: null,
  data: '{}',
  locale: 'en',
  createdAt: NOW - 1500,
  expiresAt: null,
  ...over,
});

function record(
  value: Buffer | null = Buffer.from('encoded'),
  headers: InboundRecord['headers'] = {},
): InboundRecord {
  return {
    topic: 'notify.channel.email.high',
    partition: 0,
    offset: '7',
    key: Buffer.from('u1'),
    value,
    headers,
    timestamp: '0',
  };
}

function setup(
  decoded: ChannelMessage | Error,
  send: (m: ChannelMessage) => Promise<{ providerMessageId: string }>,
  opts: { markSentFails?: boolean; clock?: () => number } = {},
) {
  const published: OutboundRecord[] = [];
  const keys = new Map<string, string>();
  const codec: Codec = {
    decode: () => (decoded instanceof Error ? Promise.reject(decoded) : Promise.resolve(decoded)),
    encode: () => Promise.reject(new Error('not used')),
    register: () => Promise.reject(new Error('not used')),
    readiness: () => ({ name: 'codec', check: () => Promise.resolve(true) }),
  };
  const deliveryKeys: DeliveryKeyStore = {
    sentAs: (k) => Promise.resolve(keys.get(k) ?? null),
    markSent: (k, id) =>
      opts.markSentFails ? Promise.reject(new Error('redis blip')) : Promise.resolve(void keys.set(k, id)),
  };
  const sender: ChannelSender = { provider: 'sendgrid', send: jest.fn(send), close: () => Promise.resolve() };
  const registry = new Registry();
  const handle = createDispatchHandler({
    service: 'dispatcher-email',
    sender,
    codec,
    publisher: { publish: (rs) => Promise.resolve(void published.push(...rs)) },
    topics: topicNames(),
    deliveryKeys,
    clock: opts.clock ?? (() => NOW),
    log: pino({ level: 'silent' }),
    metrics: {
      attempts: metricsFor.dispatchAttempts(registry),
      duration: metricsFor.dispatchDuration(registry),
      endToEnd: metricsFor.endToEndLatency(registry),
    },
  });
  const statuses = () =>
    published.filter((r) => r.topic === 'notify.status').map((r) => r.value as StatusEvent);
  return { handle, published, sender, statuses, registry };
}

const unexpected = () => Promise.reject(new Error('the sender was not told to be called'));

describe('dispatch handler', () => {
  it('sends, then records a sent event with the provider id', async () => {
    const t = setup(message(), () => Promise.resolve({ providerMessageId: 'sg-1' }));
    await t.handle(record());
    expect(t.sender.send).toHaveBeenCalledTimes(1);
    expect(t.statuses()).toEqual([
      expect.objectContaining({
        status: 'SENT',
        channel: 'EMAIL',
        providerMessageId: 'sg-1',
        service: 'dispatcher-email',
      }),
    ]);
    const metrics = await t.registry.getSingleMetricAsString('herald_end_to_end_latency_seconds');
    expect(metrics).toMatch(/herald_end_to_end_latency_seconds_sum\{channel="EMAIL",priority="HIGH"\} 1.5/);
  });

  it('does not send a redelivered message twice, and re-emits the same sent event', async () => {
    let n = 0;
    const t = setup(message(), () => Promise.resolve({ providerMessageId: `sg-${++n}` }));
    await t.handle(record());
    await t.handle(record());
    expect(t.sender.send).toHaveBeenCalledTimes(1);
    const [first, second] = t.statuses();
    expect(second).toEqual(expect.objectContaining({ status: 'SENT', providerMessageId: 'sg-1' }));
    expect(second?.eventId).toBe(first?.eventId);
  });

  it('hands a failed send to notify.dlq with its failure headers and a failed event', async () => {
    const t = setup(message(), () => Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')));
    await t.handle(record());
    const dlq = t.published.find((r) => r.topic === 'notify.dlq');
    expect(dlq?.value).toEqual(Buffer.from('encoded'));
    expect(dlq?.headers).toEqual(
      expect.objectContaining({
        attempt: '1',
        'error-class': 'transient',
        'target-topic': 'notify.channel.email.high',
      }),
    );
    expect(t.statuses()).toEqual([
      expect.objectContaining({ status: 'FAILED', reason: 'provider_unavailable' }),
    ]);
  });

  it('classifies a surprise from the sender as transient', async () => {
    const t = setup(message(), () => Promise.reject(new TypeError('boom')));
    await t.handle(record());
    expect(t.published.find((r) => r.topic === 'notify.dlq')?.headers?.['error-class']).toBe('transient');
  });

  it('parks an undecodable record without a status event', async () => {
    const t = setup(new HeraldError('malformed_payload', 'not avro'), unexpected);
    await t.handle(record(Buffer.from('garbage')));
    expect(t.published).toHaveLength(1);
    expect(t.published[0]?.headers?.['error-class']).toBe('permanent');
  });

  it('lets a registry outage be retried instead of parking', async () => {
    const t = setup(new HeraldError('dependency_unavailable', 'registry down'), unexpected);
    await expect(t.handle(record())).rejects.toThrow('registry down');
    expect(t.published).toHaveLength(0);
  });

  it('does not send what expired', async () => {
    const t = setup(message({ expiresAt: NOW - 1 }), unexpected);
    await t.handle(record());
    expect(t.sender.send).not.toHaveBeenCalled();
    expect(t.statuses()).toEqual([expect.objectContaining({ status: 'EXPIRED', channel: 'EMAIL' })]);
  });

  it('keeps a message sent before its redelivery sent, even past its expiry', async () => {
    let now = NOW;
    const t = setup(
      message({ expiresAt: NOW + 1000 }),
      () => Promise.resolve({ providerMessageId: 'sg-1' }),
      {
        clock: () => now,
      },
    );
    await t.handle(record());
    now = NOW + 5000;
    await t.handle(record());
    expect(t.statuses().map((e) => e.status)).toEqual(['SENT', 'SENT']);
  });

  it('still reports sent when the delivery key cannot be written', async () => {
    const t = setup(message(), () => Promise.resolve({ providerMessageId: 'sg-1' }), { markSentFails: true });
    await t.handle(record());
    expect(t.statuses()).toEqual([expect.objectContaining({ status: 'SENT', providerMessageId: 'sg-1' })]);
    expect(t.published.some((r) => r.topic === 'notify.dlq')).toBe(false);
  });

  it('gives a failed attempt the same event id when the record is redelivered', async () => {
    const t = setup(message(), () => Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')));
    await t.handle(record());
    await t.handle(record());
    const [a, b] = t.statuses();
    expect(a?.eventId).toBe(b?.eventId);
    const later = setup(message(), () => Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')));
    await later.handle(record(Buffer.from('encoded'), { attempt: '1' }));
    expect(later.statuses()[0]?.eventId).not.toBe(a?.eventId);
  });
});
