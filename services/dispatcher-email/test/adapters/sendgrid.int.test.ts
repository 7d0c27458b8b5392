import { closedPortUrl, failureOf as failure, sandboxedSender } from '@herald/test-support';
import { isProviderFault } from '@herald/shared';
import type { ChannelMessage } from '@herald/shared';
import { createSendGridSender } from '../../src/adapters/sendgrid';

const message = (overrides: Partial<ChannelMessage> = {}): ChannelMessage => ({
  notificationId: 'n-123',
  userId: 'u-1',
  category: 'security',
  channel: 'EMAIL',
  priority: 'HIGH',
  address: 'ada@example.com',
  subject: 'Your sign-in code',
  title: null,
  body: 'Your code is 123456',
  html: '<p>Your code is <b>123456</b></p>',
  data: '{}',
  locale: 'en',
  createdAt: Date.now(),
  expiresAt: null,
  ...overrides,
});

describe('SendGrid sender against the provider sandbox', () => {
  const senderFor = (url: string, extra: { apiKey?: string; timeoutMs?: number } = {}) =>
    createSendGridSender({
      apiKey: 'SG.sandbox',
      fromEmail: 'noreply@herald.test',
      fromName: 'Herald',
      baseUrl: url,
      unsubscribeUrl: (m) => `https://herald.test/v1/unsubscribe/token-of-${m.userId}`,
      ...extra,
    });

  const ctx = sandboxedSender((url) => senderFor(url));

  it('sends through the SDK and returns the X-Message-Id', async () => {
    const result = await ctx.sender.send(message());

    expect(result.providerMessageId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ctx.sandbox.store.list()).toEqual([
      expect.objectContaining({
        provider: 'sendgrid',
        to: 'ada@example.com',
        from: 'noreply@herald.test',
        subject: 'Your sign-in code',
        body: 'Your code is 123456',
        html: '<p>Your code is <b>123456</b></p>',
        data: { notificationId: 'n-123', category: 'security' },
        providerMessageId: result.providerMessageId,
        accepted: true,
      }),
    ]);
  });

  it("sends the template's sender and reply-to, the category, and one-click unsubscribe when asked", async () => {
    await ctx.sender.send(
      message({
        fromEmail: 'news@acme.test',
        fromName: 'Acme News',
        replyTo: 'help@acme.test',
        category: 'newsletter',
        unsubscribable: true,
      }),
    );
    const [recorded] = ctx.sandbox.store.list();
    expect(recorded).toEqual(
      expect.objectContaining({
        from: 'news@acme.test',
        fromName: 'Acme News',
        replyTo: 'help@acme.test',
        categories: ['newsletter'],
        headers: {
          'List-Unsubscribe': '<https://herald.test/v1/unsubscribe/token-of-u-1>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      }),
    );
  });

  it('leaves the unsubscribe headers out for a required category, and uses its own sender by default', async () => {
    await ctx.sender.send(message({ unsubscribable: false }));
    const [recorded] = ctx.sandbox.store.list();
    expect(recorded).toEqual(expect.objectContaining({ from: 'noreply@herald.test', fromName: 'Herald' }));
    expect(recorded?.headers).toBeUndefined();
    expect(recorded?.replyTo).toBeUndefined();
  });

  it("names SendGrid's answer in the provider code", async () => {
    const err = await failure(ctx.sender.send(message({ address: 'ada@invalid.test' })));
    expect(err.providerCode).toBe('sendgrid:http_400');
  });

  it('sends text only when there is no HTML', async () => {
    await ctx.sender.send(message({ html: null }));
    const [recorded] = ctx.sandbox.store.list();
    expect(recorded?.body).toBe('Your code is 123456');
    expect(recorded?.html).toBeUndefined();
  });

  it('maps an invalid recipient to invalid_address without naming it', async () => {
    const err = await failure(ctx.sender.send(message({ address: 'ada@invalid.test' })));

    expect(err).toMatchObject({ code: 'invalid_address', retriable: false });
    expect(err.message).toBe('SendGrid answered 400 (personalizations.0.to.0.email)');
    expect(err.cause).toBeUndefined();
  });

  it('maps 401 to provider_auth_failed (transient: an operator fixes the key)', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined); // the SDK warns about the empty key
    const unauthorised = senderFor(ctx.url, { apiKey: '' });
    const err = await failure(unauthorised.send(message()));
    expect(err).toMatchObject({
      code: 'provider_auth_failed',
      retriable: true,
      message: 'SendGrid answered 401',
    });
  });

  it.each([
    [429, 'provider_rate_limited'],
    [500, 'provider_unavailable'],
    [503, 'provider_unavailable'],
  ] as const)('maps an injected %d to %s', async (status, code) => {
    ctx.sandbox.faults.set({ provider: 'sendgrid', errorRate: 1, status, latencyMs: 0, outage: false });
    const err = await failure(ctx.sender.send(message()));
    expect(err).toMatchObject({ code, retriable: true });
    expect(err.message).not.toContain('ada@example.com');
  });

  it('maps a timeout to provider_unavailable', async () => {
    ctx.sandbox.faults.set({
      provider: 'sendgrid',
      errorRate: 0,
      status: 503,
      latencyMs: 300,
      outage: false,
    });
    const impatient = senderFor(ctx.url, { timeoutMs: 50 });
    const err = await failure(impatient.send(message()));
    expect(err).toMatchObject({ code: 'provider_unavailable', retriable: true });
  });

  it('maps connection refused to provider_unavailable', async () => {
    const unreachable = senderFor(await closedPortUrl());
    const err = await failure(unreachable.send(message()));
    expect(err).toMatchObject({
      code: 'provider_unavailable',
      message: 'SendGrid request failed (ECONNREFUSED)',
    });
    expect(isProviderFault(err)).toBe(true);
  });

  it('takes what the SDK throws before sending for a fault of ours, never one of SendGrid', async () => {
    // Nothing to send to: the SDK refuses before any request, as it would a bug of ours.
    const err = await failure(ctx.sender.send(message({ address: undefined as unknown as string })));
    expect(err).toMatchObject({ code: 'unknown', retriable: true });
    expect(err.message).toMatch(/^SendGrid failed in Herald before an answer \(\w+\)$/);
    expect(isProviderFault(err)).toBe(false);
    expect(ctx.sandbox.store.list()).toHaveLength(0);
  });
});
