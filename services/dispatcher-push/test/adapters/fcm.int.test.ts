import { closedPortUrl, failureOf as failure, sandboxedSender } from '@herald/test-support';
import type { ChannelMessage } from '@herald/shared';
import { createFcmSender } from '../../src/adapters/fcm';

const PROJECT = 'herald-sandbox';

const message = (overrides: Partial<ChannelMessage> = {}): ChannelMessage => ({
  notificationId: 'n-123',
  userId: 'u-1',
  category: 'orders',
  channel: 'PUSH',
  priority: 'NORMAL',
  address: 'device-token-1',
  subject: null,
  title: 'Order shipped',
  body: 'Your order 42 is on its way',
  html: null,
  data: '{"orderId":"42","count":3}',
  locale: 'en',
  createdAt: Date.now(),
  expiresAt: null,
  ...overrides,
});

describe('FCM sender against the provider sandbox', () => {
  const ctx = sandboxedSender((url) => createFcmSender({ projectId: PROJECT, sandboxUrl: url }));

  it('sends through firebase-admin and returns the message name', async () => {
    const result = await ctx.sender.send(message());

    expect(result.providerMessageId).toMatch(new RegExp(`^projects/${PROJECT}/messages/.+`));
    expect(ctx.sandbox.store.list()).toEqual([
      expect.objectContaining({
        provider: 'fcm',
        to: 'device-token-1',
        title: 'Order shipped',
        body: 'Your order 42 is on its way',
        data: { orderId: '42', count: '3' },
        providerMessageId: result.providerMessageId,
        accepted: true,
        status: 200,
      }),
    ]);
  });

  it('leaves title and data out when the message has none', async () => {
    await ctx.sender.send(message({ title: null, data: '{}' }));
    const [recorded] = ctx.sandbox.store.list();
    expect(recorded).toMatchObject({ body: 'Your order 42 is on its way', accepted: true });
    expect(recorded?.title).toBeUndefined();
    expect(recorded?.data).toBeUndefined();
  });

  it('refuses data that is not a JSON object without calling FCM', async () => {
    const err = await failure(ctx.sender.send(message({ data: '[1,2]' })));
    expect(err).toMatchObject({ code: 'malformed_payload', retriable: false });
    expect(ctx.sandbox.store.list()).toEqual([]);
  });

  it.each([
    ['unregistered-abc', 'unregistered_token', 'messaging/registration-token-not-registered'],
    ['invalid-abc', 'invalid_address', 'messaging/invalid-argument'],
  ])('maps token %s to %s without naming it', async (address, code, sdkCode) => {
    const err = await failure(ctx.sender.send(message({ address })));

    expect(err).toMatchObject({ code, retriable: false, message: `FCM send failed (${sdkCode})` });
    expect(err.cause).toBeUndefined();
  });

  it.each([
    [429, 'provider_rate_limited'],
    [500, 'provider_unavailable'],
  ] as const)('maps an injected %d to %s', async (status, code) => {
    ctx.sandbox.faults.set({ provider: 'fcm', errorRate: 1, status, latencyMs: 0, outage: false });
    const err = await failure(ctx.sender.send(message()));
    expect(err).toMatchObject({ code, retriable: true });
    expect(err.message).not.toContain('device-token-1');
    expect(ctx.sandbox.store.list()).toHaveLength(1);
  });

  it('maps an injected 503 to provider_unavailable, after the SDK has retried it itself', async () => {
    ctx.sandbox.faults.set({ provider: 'fcm', errorRate: 0, status: 503, latencyMs: 0, outage: true });
    const err = await failure(ctx.sender.send(message()));
    expect(err).toMatchObject({ code: 'provider_unavailable', retriable: true });
    // firebase-admin retries a 503 four times, backing off 0, 1, 2 and 4 s, before giving up.
    expect(ctx.sandbox.store.list()).toHaveLength(5);
  }, 20_000);

  it('maps connection refused to provider_unavailable', async () => {
    const unreachable = createFcmSender({ projectId: PROJECT, sandboxUrl: await closedPortUrl() });
    try {
      const err = await failure(unreachable.send(message()));
      expect(err).toMatchObject({
        code: 'provider_unavailable',
        message: 'FCM send failed (app/network-error)',
      });
    } finally {
      await unreachable.close();
    }
  });

  it('sends messages of the same content together, each token with its own result', async () => {
    const calls: number[] = [];
    const grouping = createFcmSender({
      projectId: PROJECT,
      sandboxUrl: ctx.url,
      onMulticast: (n) => calls.push(n),
    });
    const [ok, dead, other, apart] = await Promise.allSettled([
      grouping.send(message({ address: 'device-a' })),
      grouping.send(message({ address: 'unregistered-device-b' })),
      grouping.send(message({ address: 'device-c' })),
      grouping.send(message({ address: 'device-d', body: 'other content' })),
    ]);
    await grouping.close();
    // One call for the three of the same content, one for the other.
    expect(calls.sort()).toEqual([1, 3]);
    expect(apart.status).toBe('fulfilled');
    expect(ok.status).toBe('fulfilled');
    expect(other.status).toBe('fulfilled');
    expect(dead).toEqual({
      status: 'rejected',
      reason: expect.objectContaining({
        code: 'unregistered_token',
        providerCode: 'fcm:registration-token-not-registered',
      }) as unknown,
    });
    expect(ctx.sandbox.store.list().map((m) => [m.to, m.accepted])).toEqual(
      expect.arrayContaining([
        ['device-a', true],
        ['unregistered-device-b', false],
        ['device-c', true],
      ]),
    );
  });

  it('maps priority, TTL and collapse key to Android and APNs', async () => {
    await ctx.sender.send(message({ priority: 'HIGH', ttlSeconds: 600, collapseKey: 'order-42' }));
    const [recorded] = ctx.sandbox.store.list();
    expect(recorded?.android).toEqual(
      expect.objectContaining({ priority: 'high', ttl: '600s', collapse_key: 'order-42' }),
    );
    expect(recorded?.apns?.headers).toEqual(
      expect.objectContaining({ 'apns-priority': '10', 'apns-collapse-id': 'order-42' }),
    );
  });

  it('frees its app name on close', async () => {
    const first = createFcmSender({ projectId: PROJECT, sandboxUrl: ctx.url, appName: 'herald-push-test' });
    await first.close();
    const second = createFcmSender({ projectId: PROJECT, sandboxUrl: ctx.url, appName: 'herald-push-test' });
    await expect(second.send(message())).resolves.toEqual({
      providerMessageId: expect.any(String) as string,
    });
    await second.close();
  });
});
