import { EventWebhook } from '@sendgrid/eventwebhook';
import twilio from 'twilio';
import { basic, bearer, startTestSandbox } from '../support/http';
import type { TestSandbox } from '../support/http';
import { startReceiver } from '../support/receiver';
import type { Receiver } from '../support/receiver';

/** The webhooks reach a real HTTP receiver, and the providers' own libraries accept their signatures. */

const SID = 'AC0123456789abcdef0123456789abcdef';
const NOW = Date.parse('2030-01-02T03:04:05.678Z');

/** Sends an SMS through the sandbox's Twilio API with a StatusCallback; returns its sid. */
async function sendSms(sandbox: TestSandbox, statusCallback: string): Promise<string> {
  const sent = await sandbox.call({
    method: 'POST',
    url: `/2010-04-01/Accounts/${SID}/Messages.json`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(SID, 'token-1') },
    payload: new URLSearchParams({
      To: '+15551234567',
      From: '+15005550006',
      Body: 'hi',
      StatusCallback: statusCallback,
    }).toString(),
  });
  expect(sent.statusCode).toBe(201);
  return sent.json<{ sid: string }>().sid;
}

/** SendGrid shows the key as base64 DER; its library reads PEM. */
const pem = (base64: string) => `-----BEGIN PUBLIC KEY-----\n${base64}\n-----END PUBLIC KEY-----`;

describe('webhooks sent to a receiver', () => {
  let sb: TestSandbox;
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
    sb = await startTestSandbox({
      now: () => NOW,
      sendgridWebhookUrl: `${receiver.url}/v1/webhooks/sendgrid`,
    });
  });
  afterEach(async () => {
    await sb.close();
    await receiver.close();
  });

  async function sendMail(): Promise<string> {
    const res = await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: {
        personalizations: [{ to: [{ email: 'ada@example.com' }, { email: 'zoë@example.com' }] }],
        from: { email: 'f@herald.test', name: 'Herald' },
        subject: 'S',
        content: [{ type: 'text/plain', value: 'B' }],
        categories: ['billing'],
        custom_args: { notificationId: 'n-1', tenant: 'café' },
      },
    });
    expect(res.statusCode).toBe(202);
    return res.headers.get('x-message-id') ?? '';
  }

  it('posts SendGrid events that @sendgrid/eventwebhook verifies, one per recipient', async () => {
    const mailId = await sendMail();
    const keys = await sb.call({ method: 'GET', url: '/api/webhooks/keys' });
    const publicKey = keys.json<{ sendgridPublicKey: string }>().sendgridPublicKey;

    const res = await sb.call({
      method: 'POST',
      url: '/api/webhooks/sendgrid',
      payload: { providerMessageId: mailId, event: 'bounce', reason: '550 5.1.1 no such user' },
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 200, body: 'ok' });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/webhooks/sendgrid' });
    expect(request?.headers['content-type']).toBe('application/json');
    const signature = String(request?.headers['x-twilio-email-event-webhook-signature']);
    const timestamp = String(request?.headers['x-twilio-email-event-webhook-timestamp']);
    expect(timestamp).toBe(String(Math.floor(NOW / 1000)));

    const webhook = new EventWebhook();
    const key = webhook.convertPublicKeyToECDSA(pem(publicKey));
    expect(webhook.verifySignature(key, request?.body ?? '', signature, timestamp)).toBe(true);
    expect(
      webhook.verifySignature(key, request?.body.replace('n-1', 'n-2') ?? '', signature, timestamp),
    ).toBe(false);

    const events = JSON.parse(request?.body ?? '[]') as Record<string, unknown>[];
    expect(events).toEqual(
      ['ada@example.com', 'zoë@example.com'].map((email): unknown =>
        expect.objectContaining({
          email,
          event: 'bounce',
          type: 'bounce',
          reason: '550 5.1.1 no such user',
          status: '5.1.1',
          timestamp: Math.floor(NOW / 1000),
          category: ['billing'],
          notificationId: 'n-1',
          tenant: 'café',
          sg_message_id: expect.stringMatching(new RegExp(`^${mailId}\\.filter0001\\.`)),
          'smtp-id': expect.stringContaining(mailId),
        }),
      ),
    );
  });

  it("posts to the request's url over the configured one, and passes the receiver's answer back", async () => {
    const mailId = await sendMail();
    receiver.answer(403, 'bad signature');

    const res = await sb.call({
      method: 'POST',
      url: '/api/webhooks/sendgrid',
      payload: { providerMessageId: mailId, event: 'open', url: `${receiver.url}/elsewhere?x=1` },
    });

    expect(res.json()).toEqual({ status: 403, body: 'bad signature' });
    expect(receiver.received.map((r) => r.url)).toEqual(['/elsewhere?x=1']);
  });

  it('posts a Twilio status callback that twilio.validateRequest accepts', async () => {
    const callback = `${receiver.url}/v1/webhooks/twilio?tenant=t1`;
    const sid = await sendSms(sb, callback);

    const res = await sb.call({
      method: 'POST',
      url: '/api/webhooks/twilio',
      payload: { providerMessageId: sid, status: 'undelivered', errorCode: '30003' },
    });

    expect(res.json()).toEqual({ status: 200, body: 'ok' });
    const [request] = receiver.received;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/webhooks/twilio?tenant=t1' });
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const params = Object.fromEntries(new URLSearchParams(request?.body));
    expect(params).toEqual({
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: 'undelivered',
      SmsStatus: 'undelivered',
      To: '+15551234567',
      From: '+15005550006',
      AccountSid: SID,
      ApiVersion: '2010-04-01',
      ErrorCode: '30003',
    });
    const signature = String(request?.headers['x-twilio-signature']);
    expect(twilio.validateRequest('token-1', signature, callback, params)).toBe(true);
    expect(twilio.validateRequest('token-2', signature, callback, params)).toBe(false);
    expect(
      twilio.validateRequest('token-1', signature, callback, { ...params, MessageStatus: 'delivered' }),
    ).toBe(false);
  });
});

/**
 * SANDBOX_TWILIO_CALLBACK_ORIGIN: the callback goes to the receiver as a proxy would forward it, and
 * is signed over the public StatusCallback, which is what the receiver (ingest) checks against.
 */
describe('Twilio status callbacks through a callback origin', () => {
  const PUBLIC = 'https://herald.example.com';
  let sb: TestSandbox;
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
    // A trailing slash is dropped, as in SANDBOX_TWILIO_CALLBACK_ORIGIN.
    sb = await startTestSandbox({ now: () => NOW, twilioCallbackOrigin: `${receiver.url}/` });
  });
  afterEach(async () => {
    await sb.close();
    await receiver.close();
  });

  it("posts to the origin with the StatusCallback's path and query, signed over the StatusCallback", async () => {
    const callback = `${PUBLIC}/v1/webhooks/twilio?notificationId=n-1&tenant=caf%C3%A9`;
    const sid = await sendSms(sb, callback);

    const outcome = await sb.webhooks.twilio({ providerMessageId: sid, status: 'delivered' });

    const target = `${receiver.url}/v1/webhooks/twilio?notificationId=n-1&tenant=caf%C3%A9`;
    expect(outcome).toEqual({ kind: 'sent', url: target, signedUrl: callback, status: 200, body: 'ok' });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request).toMatchObject({
      method: 'POST',
      url: '/v1/webhooks/twilio?notificationId=n-1&tenant=caf%C3%A9',
    });
    const params = Object.fromEntries(new URLSearchParams(request?.body));
    expect(params).toMatchObject({ MessageSid: sid, MessageStatus: 'delivered', AccountSid: SID });
    const signature = String(request?.headers['x-twilio-signature']);
    expect(twilio.validateRequest('token-1', signature, callback, params)).toBe(true);
    // As ingest checks it: its public base URL followed by the path and query it was sent.
    expect(twilio.validateRequest('token-1', signature, `${PUBLIC}${request?.url}`, params)).toBe(true);
    // Not over the address it was posted to.
    expect(twilio.validateRequest('token-1', signature, target, params)).toBe(false);
  });

  it('goes to the origin whatever host the StatusCallback names (as in compose, a loopback one), from the HTTP API too', async () => {
    const sid = await sendSms(sb, 'http://127.0.0.1:8080/v1/webhooks/twilio?notificationId=n-2');

    const res = await sb.call({
      method: 'POST',
      url: '/api/webhooks/twilio',
      payload: { providerMessageId: sid, status: 'undelivered', errorCode: '30003' },
    });

    expect(res.json()).toEqual({ status: 200, body: 'ok' });
    expect(receiver.received.map((r) => r.url)).toEqual(['/v1/webhooks/twilio?notificationId=n-2']);
    const [request] = receiver.received;
    const params = Object.fromEntries(new URLSearchParams(request?.body));
    expect(
      twilio.validateRequest(
        'token-1',
        String(request?.headers['x-twilio-signature']),
        'http://127.0.0.1:8080/v1/webhooks/twilio?notificationId=n-2',
        params,
      ),
    ).toBe(true);
  });

  it('cannot send a StatusCallback that is not a URL through the origin', async () => {
    const sid = await sendSms(sb, 'not a url');

    const outcome = await sb.webhooks.twilio({ providerMessageId: sid, status: 'sent' });

    expect(outcome).toEqual({
      kind: 'unreachable',
      message: `StatusCallback 'not a url' is not an absolute http(s) URL, so it has no path to send to ${receiver.url}`,
    });
    expect(receiver.received).toEqual([]);
  });

  it('posts to the StatusCallback as given when there is no origin', async () => {
    const direct = await startTestSandbox({ now: () => NOW });
    try {
      const callback = `${receiver.url}/v1/webhooks/twilio?notificationId=n-3`;
      const sid = await sendSms(direct, callback);

      const outcome = await direct.webhooks.twilio({ providerMessageId: sid, status: 'sent' });

      expect(outcome).toEqual({ kind: 'sent', url: callback, status: 200, body: 'ok' });
      expect(receiver.received.map((r) => r.url)).toEqual(['/v1/webhooks/twilio?notificationId=n-3']);
    } finally {
      await direct.close();
    }
  });
});
