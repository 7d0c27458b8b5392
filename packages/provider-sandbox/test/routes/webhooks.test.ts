import { generateKeyPairSync } from 'node:crypto';
import { createSandbox, sendGridWebhookPublicKey } from '../../src/app';
import { basic, bearer, startTestSandbox } from '../support/http';
import type { TestSandbox } from '../support/http';
import { startReceiver } from '../support/receiver';

const SID = 'AC0123456789abcdef0123456789abcdef';

async function sendMail(sb: TestSandbox): Promise<string> {
  const res = await sb.call({
    method: 'POST',
    url: '/v3/mail/send',
    headers: bearer,
    payload: {
      personalizations: [{ to: [{ email: 'ada@example.com' }] }],
      from: { email: 'f@herald.test' },
      subject: 'S',
      content: [{ type: 'text/plain', value: 'B' }],
    },
  });
  return res.headers.get('x-message-id') ?? '';
}

async function sendSms(sb: TestSandbox, fields: Record<string, string> = {}): Promise<string> {
  const res = await sb.call({
    method: 'POST',
    url: `/2010-04-01/Accounts/${SID}/Messages.json`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(SID, 'token-1') },
    payload: new URLSearchParams({
      To: '+15551234567',
      From: '+15005550006',
      Body: 'hi',
      ...fields,
    }).toString(),
  });
  return res.json<{ sid: string }>().sid;
}

describe('GET /api/webhooks/keys', () => {
  it('shows the public half of the given key as base64 SPKI DER', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const sb = await startTestSandbox({ sendgridWebhookPrivateKey: der });

    const res = await sb.call({ method: 'GET', url: '/api/webhooks/keys' });

    expect(res.json()).toEqual({ sendgridPublicKey: spki });
    expect(sendGridWebhookPublicKey(sb)).toBe(spki);
    await sb.close();
  });

  it('generates a key pair per sandbox when given none', () => {
    expect(sendGridWebhookPublicKey(createSandbox())).toMatch(/^MFkw[A-Za-z0-9+/]+={0,2}$/);
    expect(sendGridWebhookPublicKey(createSandbox())).not.toBe(sendGridWebhookPublicKey(createSandbox()));
  });

  it('refuses a key, URL or origin it cannot use, saying which', () => {
    expect(() => createSandbox({ sendgridWebhookPrivateKey: 'nope!' })).toThrow(
      /^sendgridWebhookPrivateKey: /,
    );
    expect(() => createSandbox({ sendgridWebhookUrl: 'localhost:8080/hook' })).toThrow(/sendgridWebhookUrl/);
    expect(() => createSandbox({ twilioCallbackOrigin: 'http://ingest:8080/v1' })).toThrow(
      "twilioCallbackOrigin must be an absolute http or https origin (scheme, host, port; no path), got 'http://ingest:8080/v1'",
    );
  });
});

describe('POST /api/webhooks/sendgrid and /api/webhooks/twilio, without a receiver', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox();
  });
  afterEach(() => sb.close());

  it('answers 400 listing every problem of the body', async () => {
    const sendgrid = await sb.call({
      method: 'POST',
      url: '/api/webhooks/sendgrid',
      payload: { event: 'click' },
    });
    const twilio = await sb.call({
      method: 'POST',
      url: '/api/webhooks/twilio',
      payload: { status: 'read' },
    });

    expect(sendgrid.statusCode).toBe(400);
    expect(sendgrid.json()).toEqual({
      error: 'bad_request',
      problems: [
        'providerMessageId is required: the id the sandbox answered the message with',
        'event must be one of delivered, bounce, dropped, spamreport, deferred, open',
      ],
    });
    expect(twilio.statusCode).toBe(400);
    expect(twilio.json()).toEqual({
      error: 'bad_request',
      problems: [
        'providerMessageId is required: the id the sandbox answered the message with',
        'status must be one of queued, sent, delivered, undelivered, failed',
      ],
    });
  });

  it('answers 404 for a message it does not hold, or of the other provider', async () => {
    const sid = await sendSms(sb, { StatusCallback: 'http://127.0.0.1:9/hook' });
    const mailId = await sendMail(sb);
    const calls = [
      { url: '/api/webhooks/sendgrid', payload: { providerMessageId: 'unknown', event: 'delivered' } },
      { url: '/api/webhooks/sendgrid', payload: { providerMessageId: sid, event: 'delivered' } },
      { url: '/api/webhooks/twilio', payload: { providerMessageId: `SM${'0'.repeat(32)}`, status: 'sent' } },
      { url: '/api/webhooks/twilio', payload: { providerMessageId: mailId, status: 'sent' } },
    ];
    for (const call of calls) {
      const res = await sb.call({ method: 'POST', ...call });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({
        error: 'not_found',
        message: expect.stringMatching(/^no (SendGrid|Twilio) message/),
      });
    }
  });

  it('answers 400 when there is nowhere to send the webhook', async () => {
    const mailId = await sendMail(sb);
    const sid = await sendSms(sb);

    const sendgrid = await sb.call({
      method: 'POST',
      url: '/api/webhooks/sendgrid',
      payload: { providerMessageId: mailId, event: 'delivered' },
    });
    const twilio = await sb.call({
      method: 'POST',
      url: '/api/webhooks/twilio',
      payload: { providerMessageId: sid, status: 'delivered' },
    });

    expect(sendgrid.statusCode).toBe(400);
    expect(sendgrid.json()).toEqual({
      error: 'bad_request',
      problems: ['no url given and the sandbox has no sendgridWebhookUrl (SANDBOX_SENDGRID_WEBHOOK_URL)'],
    });
    expect(twilio.statusCode).toBe(400);
    expect(twilio.json()).toEqual({
      error: 'bad_request',
      problems: [`message ${sid} was sent without a StatusCallback`],
    });
  });

  it('answers 502 with the reason when the receiver cannot be reached', async () => {
    const mailId = await sendMail(sb);
    const gone = await startReceiver();
    await gone.close();
    const url = `${gone.url}/hook`;

    const res = await sb.call({
      method: 'POST',
      url: '/api/webhooks/sendgrid',
      payload: { providerMessageId: mailId, event: 'delivered', url },
    });

    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({
      error: 'bad_gateway',
      message: expect.stringContaining(`could not reach ${url}: ECONNREFUSED`),
    });
  });
});
