import { closedPortUrl, failureOf as failure, sandboxedSender } from '@herald/test-support';
import { isProviderFault } from '@herald/shared';
import type { ChannelMessage } from '@herald/shared';
import { createTwilioSender } from '../../src/adapters/twilio';
import type { TwilioSenderOptions } from '../../src/adapters/twilio';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const FROM = '+15005550006';

const message = (overrides: Partial<ChannelMessage> = {}): ChannelMessage => ({
  notificationId: 'n-123',
  userId: 'u-1',
  category: 'security',
  channel: 'SMS',
  priority: 'HIGH',
  address: '+15551234567',
  subject: null,
  title: null,
  body: 'Your code is 123456',
  html: null,
  data: '{}',
  locale: 'en',
  createdAt: Date.now(),
  expiresAt: null,
  ...overrides,
});

describe('Twilio sender against the provider sandbox', () => {
  const senderFor = (url: string, extra: Partial<TwilioSenderOptions> = {}) =>
    createTwilioSender({
      accountSid: ACCOUNT_SID,
      authToken: 'sandbox-token',
      from: FROM,
      sandboxUrl: url,
      maxSegments: 10,
      ...extra,
    });

  const ctx = sandboxedSender((url) => senderFor(url));

  it('asks Twilio for a status callback to the URL built for the message', async () => {
    const withCallback = senderFor(ctx.url, {
      statusCallbackUrl: (m) => `https://herald.test/v1/webhooks/twilio?notificationId=${m.notificationId}`,
    });
    await withCallback.send(message());
    expect(ctx.sandbox.store.list()).toEqual([
      expect.objectContaining({
        accepted: true,
        statusCallback: 'https://herald.test/v1/webhooks/twilio?notificationId=n-123',
      }),
    ]);
  });

  it('sends through the SDK and returns the message SID', async () => {
    const result = await ctx.sender.send(message());

    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(ctx.sandbox.store.list()).toEqual([
      expect.objectContaining({
        provider: 'twilio',
        to: '+15551234567',
        from: FROM,
        body: 'Your code is 123456',
        providerMessageId: result.providerMessageId,
        accepted: true,
        status: 201,
      }),
    ]);
  });

  it('sends from a Messaging Service when `from` is an MG SID', async () => {
    const viaService = senderFor(ctx.url, { from: 'MG0123456789abcdef0123456789abcdef' });
    await viaService.send(message());
    expect(ctx.sandbox.store.list()).toEqual([
      expect.objectContaining({ from: 'MG0123456789abcdef0123456789abcdef', accepted: true }),
    ]);
  });

  it("maps Twilio's 21211 to invalid_address without naming the number, with Twilio's code", async () => {
    const err = await failure(ctx.sender.send(message({ address: '+15005550001' })));

    expect(err).toMatchObject({ code: 'invalid_address', retriable: false, providerCode: 'twilio:21211' });
    expect(err.message).toBe('Twilio answered 400, code 21211');
    expect(err.cause).toBeUndefined();
  });

  it('refuses a number that is not E.164 before calling Twilio', async () => {
    const err = await failure(ctx.sender.send(message({ address: '5551234567' })));
    expect(err).toMatchObject({ code: 'invalid_address', retriable: false, providerCode: undefined });
    expect(err.message).toBe('the recipient is not an E.164 phone number');
    expect(ctx.sandbox.store.list()).toHaveLength(0);
  });

  it('refuses a body over the maximum of segments before calling Twilio, and reports each count', async () => {
    const counts: number[] = [];
    const strict = senderFor(ctx.url, { maxSegments: 2, onSegments: (n) => counts.push(n) });
    await strict.send(message({ body: 'a'.repeat(306) }));
    const err = await failure(strict.send(message({ body: 'a'.repeat(307) })));
    expect(err).toMatchObject({ code: 'message_too_long', retriable: false });
    expect(err.message).toBe('the body takes 3 GSM-7 segments, more than SMS_MAX_SEGMENTS (2)');
    expect(counts).toEqual([2, 3]);
    expect(ctx.sandbox.store.list()).toHaveLength(1);
  });

  it.each([
    [429, 'provider_rate_limited'],
    [500, 'provider_unavailable'],
    [503, 'provider_unavailable'],
  ] as const)('maps an injected %d to %s', async (status, code) => {
    ctx.sandbox.faults.set({ provider: 'twilio', errorRate: 1, status, latencyMs: 0, outage: false });
    const err = await failure(ctx.sender.send(message()));
    expect(err).toMatchObject({ code, retriable: true });
    expect(err.message).not.toContain('+15551234567');
  });

  it('maps a timeout to provider_unavailable', async () => {
    ctx.sandbox.faults.set({ provider: 'twilio', errorRate: 0, status: 503, latencyMs: 300, outage: false });
    const err = await failure(senderFor(ctx.url, { timeoutMs: 50 }).send(message()));
    expect(err).toMatchObject({ code: 'provider_unavailable', retriable: true });
  });

  it('maps connection refused to provider_unavailable', async () => {
    const err = await failure(senderFor(await closedPortUrl()).send(message()));
    expect(err).toMatchObject({
      code: 'provider_unavailable',
      message: 'Twilio request failed (ECONNREFUSED)',
    });
    expect(isProviderFault(err)).toBe(true);
  });

  it('takes what is thrown before sending for a fault of ours, never one of Twilio', async () => {
    // A bug on our side of the SDK call (here, building the callback URL).
    const buggy = senderFor(ctx.url, {
      statusCallbackUrl: () => {
        throw new TypeError('boom');
      },
    });
    const err = await failure(buggy.send(message()));
    expect(err).toMatchObject({ code: 'unknown', retriable: true });
    expect(err.message).toMatch(/^Twilio failed in Herald before an answer \(\w+\)$/);
    expect(isProviderFault(err)).toBe(false);
    expect(ctx.sandbox.store.list()).toHaveLength(0);
  });
});
