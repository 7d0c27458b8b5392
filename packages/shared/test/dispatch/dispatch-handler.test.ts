import { Registry } from 'prom-client';
import pino from 'pino';
import {
  CircuitBreaker,
  DEFAULT_DELAY_TIERS,
  HeraldError,
  RateLimiter,
  classifyError,
  createDispatchProcessor,
  metricsFor,
  parseTiers,
  topicNames,
} from '@herald/shared';
import type {
  BreakerSettings,
  ChannelMessage,
  ChannelSender,
  Codec,
  DeliveryKeyStore,
  GuardedProvider,
  InboundRecord,
  OutboundRecord,
  StatusEvent,
  Suppression,
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
  opts: {
    markSentFails?: boolean;
    clock?: () => number;
    breaker?: BreakerSettings;
    /** A secondary provider (failover), with its own breaker. */
    secondary?: (m: ChannelMessage) => Promise<{ providerMessageId: string }>;
    limiter?: RateLimiter;
  } = {},
) {
  const published: OutboundRecord[] = [];
  /** An in-memory delivery key store with Redis's semantics (claims, sent ids, release if ours). */
  const keys = new Map<string, { claim?: string; sent?: string }>();
  let tokens = 0;
  const codec: Codec = {
    decode: () => (decoded instanceof Error ? Promise.reject(decoded) : Promise.resolve(decoded)),
    encode: () => Promise.reject(new Error('not used')),
    register: () => Promise.reject(new Error('not used')),
    readiness: () => ({ name: 'codec', check: () => Promise.resolve(true) }),
  };
  const deliveryKeys: DeliveryKeyStore = {
    claim: (k) => {
      const v = keys.get(k);
      if (v?.sent !== undefined) return Promise.resolve({ kind: 'sent', providerMessageId: v.sent });
      if (v?.claim !== undefined) return Promise.resolve({ kind: 'held' });
      const token = `t${++tokens}`;
      keys.set(k, { claim: token });
      return Promise.resolve({ kind: 'claimed', token });
    },
    markSent: (k, id) =>
      opts.markSentFails
        ? Promise.reject(new Error('redis blip'))
        : Promise.resolve(void keys.set(k, { sent: id })),
    release: (k, token) => {
      if (keys.get(k)?.claim === token) keys.delete(k);
      return Promise.resolve();
    },
    renew: (k, token) => Promise.resolve(keys.get(k)?.claim === token),
  };
  const sender: ChannelSender = { provider: 'sendgrid', send: jest.fn(send), close: () => Promise.resolve() };
  const breakerSettings = opts.breaker ?? {
    failureThreshold: 3,
    cooldownMs: 10_000,
    halfOpenTrials: 1,
    successThreshold: 1,
  };
  const providers: GuardedProvider[] = [
    { sender, breaker: new CircuitBreaker(breakerSettings), limiter: opts.limiter ?? null },
  ];
  const secondary: ChannelSender | undefined = opts.secondary
    ? { provider: 'smtp', send: jest.fn(opts.secondary), close: () => Promise.resolve() }
    : undefined;
  if (secondary)
    providers.push({ sender: secondary, breaker: new CircuitBreaker(breakerSettings), limiter: null });
  const suppressed: Suppression[] = [];
  const registry = new Registry();
  const processor = createDispatchProcessor({
    service: 'dispatcher-email',
    providers,
    codec,
    topics: topicNames(),
    tiers: parseTiers(DEFAULT_DELAY_TIERS),
    deliveryKeys,
    suppressions: {
      suppress: (x) => {
        suppressed.push(x);
        return Promise.resolve();
      },
    },
    clock: opts.clock ?? (() => NOW),
    deferSpreadMs: 0,
    random: () => 0,
    log: pino({ level: 'silent' }),
    metrics: {
      attempts: metricsFor.dispatchAttempts(registry),
      duration: metricsFor.dispatchDuration(registry),
      endToEnd: metricsFor.endToEndLatency(registry),
      deferred: metricsFor.dispatchDeferred(registry),
      suppressed: metricsFor.addressesSuppressed(registry),
      providerErrors: metricsFor.providerErrors(registry),
      unrecorded: metricsFor.dispatchUnrecorded(registry),
    },
  });
  /** What the engine does with one record: its outcome, or its failure path unless it must wait. */
  const handle = async (r: InboundRecord) => {
    try {
      const outcome = await processor.handle(r, undefined);
      published.push(...outcome.records);
      outcome.done?.();
    } catch (e) {
      const err = classifyError(e);
      if (err.disposition === 'wait') throw err;
      published.push(...processor.onFailure(r, err));
    }
  };
  const statuses = () =>
    published.filter((r) => r.topic === 'notify.status').map((r) => r.value as StatusEvent);
  return { handle, published, sender, secondary, statuses, registry, keys, suppressed, providers };
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

  it('counts end-to-end latency from when a scheduled or deferred message fell due', async () => {
    const t = setup(message({ createdAt: NOW - 3_600_000, dueAt: NOW - 250 }), () =>
      Promise.resolve({ providerMessageId: 'sg-1' }),
    );
    await t.handle(record());
    const metrics = await t.registry.getSingleMetricAsString('herald_end_to_end_latency_seconds');
    expect(metrics).toMatch(
      /herald_end_to_end_latency_seconds_sum\{channel="EMAIL",priority="HIGH"\} 0.25\n/,
    );
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

  it("retries a surprise from the sender later, counted as our error, not the provider's", async () => {
    const t = setup(message(), () => Promise.reject(new TypeError('boom')));
    await t.handle(record());
    expect(t.published.find((r) => r.topic === 'notify.dlq')?.headers?.['error-class']).toBe('transient');
    const attempts = await t.registry.getSingleMetricAsString('herald_dispatch_attempts_total');
    expect(attempts).toMatch(/outcome="internal_error"\} 1/);
    expect(attempts).not.toMatch(/transient_error/);
  });

  it('counts what the provider answered against the provider', async () => {
    const t = setup(message(), () => Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')));
    await t.handle(record());
    const attempts = await t.registry.getSingleMetricAsString('herald_dispatch_attempts_total');
    expect(attempts).toMatch(/outcome="transient_error"\} 1/);
  });

  it('waits while another dispatcher holds the delivery, and sends nothing meanwhile', async () => {
    // The first handling claims the delivery and is mid-send (an evicted owner after a rebalance).
    let finishSend: (v: { providerMessageId: string }) => void = () => undefined;
    const t = setup(message(), () => new Promise((resolve) => (finishSend = resolve)));
    const first = t.handle(record());
    // Until the first is mid-send (the handler yields the event loop's turn on its way there).
    for (let i = 0; i < 1000 && (t.sender.send as jest.Mock).mock.calls.length === 0; i++)
      await new Promise((r) => setImmediate(r));
    await expect(t.handle(record())).rejects.toMatchObject({
      code: 'delivery_in_progress',
      disposition: 'wait',
    });
    expect(t.sender.send).toHaveBeenCalledTimes(1);
    finishSend({ providerMessageId: 'sg-9' });
    await first;
    // Once sent, the waiting record finds it sent: a duplicate, not a second send.
    await t.handle(record());
    expect(t.sender.send).toHaveBeenCalledTimes(1);
    expect(t.statuses().map((e) => e.providerMessageId)).toEqual(['sg-9', 'sg-9']);
  });

  it('gives the claim back when the send fails, so the retry can send', async () => {
    let fail = true;
    const t = setup(message(), () =>
      fail
        ? Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503'))
        : Promise.resolve({ providerMessageId: 'sg-2' }),
    );
    await t.handle(record());
    fail = false;
    await t.handle(record(Buffer.from('encoded'), { attempt: '1' }));
    expect(t.sender.send).toHaveBeenCalledTimes(2);
    expect(t.statuses().map((e) => e.status)).toEqual(['FAILED', 'SENT']);
  });

  it('parks an undecodable record without a status event', async () => {
    const t = setup(new HeraldError('malformed_payload', 'not avro'), unexpected);
    await t.handle(record(Buffer.from('garbage')));
    expect(t.published).toHaveLength(1);
    expect(t.published[0]?.headers?.['error-class']).toBe('permanent');
  });

  it('lets a registry outage be waited out in place instead of parking', async () => {
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

  it('opens the circuit after N provider failures, then defers without sending or counting an attempt', async () => {
    let now = NOW;
    const t = setup(message(), () => Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')), {
      clock: () => now,
    });
    for (let i = 0; i < 3; i++) await t.handle(record());
    expect(t.sender.send).toHaveBeenCalledTimes(3);
    now += 1000;
    await t.handle(record(Buffer.from('encoded'), { attempt: '2' }));
    expect(t.sender.send).toHaveBeenCalledTimes(3);
    const held = t.published.at(-2);
    // Back to its own topic when the cool-down is over (opened at NOW, 10 s), its headers as they were.
    expect(held?.topic).toBe('notify.delay.5s');
    expect(held?.headers).toEqual({
      attempt: '2',
      'circuit-deferrals': '1',
      'due-at': new Date(NOW + 10_000).toISOString(),
      'target-topic': 'notify.channel.email.high',
    });
    expect(held?.value).toEqual(Buffer.from('encoded'));
    expect(t.statuses().at(-1)).toEqual(
      expect.objectContaining({ status: 'DEFERRED', channel: 'EMAIL', reason: 'circuit_open' }),
    );
    expect(JSON.parse(t.statuses().at(-1)?.detail ?? '{}')).toEqual({
      until: new Date(NOW + 10_000).toISOString(),
    });
    // The claim was given back: the message is sent when it returns and the circuit lets it.
    expect(t.keys.size).toBe(0);
  });

  it('never defers for less than a second (no loop through the delay engine)', async () => {
    let now = NOW;
    const t = setup(message(), () => Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')), {
      clock: () => now,
      breaker: { failureThreshold: 1, cooldownMs: 100, halfOpenTrials: 1, successThreshold: 1 },
    });
    await t.handle(record());
    now += 50;
    await t.handle(record());
    expect(t.published.at(-2)?.headers?.['due-at']).toBe(new Date(NOW + 1050).toISOString());
  });

  it('sends through the secondary while the primary circuit is open, and back once it closes', async () => {
    let now = NOW;
    let primaryUp = false;
    const t = setup(
      message(),
      () =>
        primaryUp
          ? Promise.resolve({ providerMessageId: 'sg-1' })
          : Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')),
      { clock: () => now, secondary: () => Promise.resolve({ providerMessageId: 'smtp-1' }) },
    );
    for (let i = 0; i < 3; i++) await t.handle(record());
    await t.handle(record());
    expect(t.secondary?.send).toHaveBeenCalledTimes(1);
    expect(t.statuses().at(-1)).toEqual(
      expect.objectContaining({ status: 'SENT', providerMessageId: 'smtp-1' }),
    );
    expect(JSON.parse(t.statuses().at(-1)?.detail ?? '{}')).toEqual({ provider: 'smtp' });
    // After the cool-down a trial goes to the primary; it succeeds and closes the circuit.
    now += 10_000;
    primaryUp = true;
    t.keys.clear();
    await t.handle(record());
    expect(t.statuses().at(-1)).toEqual(
      expect.objectContaining({ status: 'SENT', providerMessageId: 'sg-1' }),
    );
    expect(t.providers[0]?.breaker.state(now)).toBe('closed');
  });

  it('suppresses the address when the provider says it cannot receive, and fails once', async () => {
    const t = setup(message(), () =>
      Promise.reject(new HeraldError('invalid_address', 'refused', { providerCode: 'sendgrid:http_400' })),
    );
    await t.handle(record());
    expect(t.suppressed).toEqual([
      {
        channel: 'EMAIL',
        address: 'ada@example.com',
        userId: 'u1',
        reason: 'sendgrid:http_400',
        source: 'dispatcher-email',
      },
    ]);
    expect(t.published.find((r) => r.topic === 'notify.dlq')?.headers?.['error-class']).toBe('permanent');
    const failed = t.statuses()[0];
    expect(failed).toEqual(expect.objectContaining({ status: 'FAILED', reason: 'invalid_address' }));
    expect(JSON.parse(failed?.detail ?? '{}')).toEqual(
      expect.objectContaining({ provider: 'sendgrid', providerCode: 'sendgrid:http_400' }),
    );
    // A code's first occurrence: its series shows 0 at the next scrape, then the count, so that
    // rate() and increase() see it (an open set of codes cannot start at 0 beforehand).
    const code = /provider="sendgrid",code="sendgrid:http_400",class="permanent"\} (\d+)/;
    const scrape = async () =>
      code.exec(await t.registry.getSingleMetricAsString('herald_provider_errors_total'))?.[1];
    expect(await scrape()).toBe('0');
    expect(await scrape()).toBe('1');
    // A refused recipient says the provider is up: it never opens the circuit.
    for (let i = 0; i < 5; i++) await t.handle(record());
    expect(t.providers[0]?.breaker.state(NOW)).toBe('closed');
  });

  it('does not suppress on a payload the provider refused', async () => {
    const t = setup(message(), () =>
      Promise.reject(
        new HeraldError('provider_rejected', 'bad payload', { providerCode: 'sendgrid:http_413' }),
      ),
    );
    await t.handle(record());
    expect(t.suppressed).toEqual([]);
  });

  it("takes a token of the provider's rate limit before each send", async () => {
    const asked: number[] = [];
    const limiter = new RateLimiter({
      take: (want) => {
        asked.push(want);
        return Promise.resolve({ granted: want, waitMs: 0 });
      },
    });
    const t = setup(message(), () => Promise.resolve({ providerMessageId: 'sg-1' }), { limiter });
    await t.handle(record());
    expect(asked).toEqual([1]);
    expect(t.sender.send).toHaveBeenCalledTimes(1);
  });

  it('waits in place, claim given back, when the rate limit cannot be read', async () => {
    const limiter = new RateLimiter({ take: () => Promise.reject(new Error('Connection is closed.')) });
    const t = setup(message(), unexpected, { limiter });
    await expect(t.handle(record())).rejects.toMatchObject({ code: 'dependency_unavailable' });
    expect(t.keys.size).toBe(0);
  });

  it('says a deferral once, and waits longer each time the same message is deferred again', async () => {
    let now = NOW;
    const t = setup(message(), () => Promise.reject(new HeraldError('provider_unavailable', 'HTTP 503')), {
      clock: () => now,
      breaker: { failureThreshold: 1, cooldownMs: 100, halfOpenTrials: 1, successThreshold: 1 },
    });
    await t.handle(record());
    now += 10;
    await t.handle(record(Buffer.from('encoded'), { 'circuit-deferrals': '3' }));
    const held = t.published.at(-1);
    expect(held?.headers?.['circuit-deferrals']).toBe('4');
    expect(held?.headers?.['due-at']).toBe(new Date(NOW + 10 + 8000).toISOString());
    expect(t.statuses().filter((e) => e.status === 'DEFERRED')).toEqual([]);
  });

  it('does not send what waited for a token while the circuit opened: it is deferred instead', async () => {
    let now = NOW;
    let grant: () => void = () => undefined;
    const limiter = new RateLimiter({
      take: (want) => new Promise((r) => (grant = () => r({ granted: want, waitMs: 0 }))),
    });
    const t = setup(message(), unexpected, {
      clock: () => now,
      limiter,
      breaker: { failureThreshold: 1, cooldownMs: 10_000, halfOpenTrials: 1, successThreshold: 1 },
    });
    const waiting = t.handle(record());
    for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r));
    // Meanwhile another send fails and opens the circuit.
    t.providers[0]?.breaker.failure(now, false);
    now += 500;
    grant();
    await waiting;
    expect(t.sender.send).not.toHaveBeenCalled();
    expect(t.statuses()).toEqual([expect.objectContaining({ status: 'DEFERRED', reason: 'circuit_open' })]);
  });

  it('after a long wait for tokens, sends only if its delivery claim is still its own', async () => {
    let now = NOW;
    let grant: () => void = () => undefined;
    const limiter = new RateLimiter({
      take: (want) => new Promise((r) => (grant = () => r({ granted: want, waitMs: 0 }))),
    });
    const t = setup(message(), () => Promise.resolve({ providerMessageId: 'sg-1' }), {
      clock: () => now,
      limiter,
    });
    const waiting = t.handle(record());
    for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r));
    // The lease ran out and another dispatcher claimed the delivery.
    t.keys.set([...t.keys.keys()][0] ?? '', { claim: 'someone-else' });
    now += 5000;
    grant();
    await expect(waiting).rejects.toMatchObject({ code: 'delivery_in_progress' });
    expect(t.sender.send).not.toHaveBeenCalled();
  });
});
