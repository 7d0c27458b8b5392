import { countSegments } from '../../src/routes/twilio';
import { basic, startTestSandbox } from '../support/http';
import type { TestSandbox } from '../support/http';

const SID = 'AC0123456789abcdef0123456789abcdef';
const url = `/2010-04-01/Accounts/${SID}/Messages.json`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const auth = { ...form, ...basic(SID, 'secret') };
const encode = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('fake Twilio POST /2010-04-01/Accounts/:AccountSid/Messages.json', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox();
  });
  afterEach(() => sb.close());

  it("answers 201 with Twilio's message resource and records the SMS", async () => {
    const res = await sb.call({
      method: 'POST',
      url,
      headers: auth,
      payload: encode({ To: '+15551234567', From: '+15005550006', Body: 'Your code is 1234' }),
    });

    expect(res.statusCode).toBe(201);
    const resource = res.json();
    expect(resource).toMatchObject({
      account_sid: SID,
      status: 'queued',
      to: '+15551234567',
      from: '+15005550006',
      body: 'Your code is 1234',
      num_segments: '1',
      direction: 'outbound-api',
      error_code: null,
    });
    expect(resource.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(resource.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(resource.uri).toBe(`/2010-04-01/Accounts/${SID}/Messages/${String(resource.sid)}.json`);
    expect(sb.store.list()).toEqual([
      expect.objectContaining({
        provider: 'twilio',
        channel: 'sms',
        to: '+15551234567',
        body: 'Your code is 1234',
        providerMessageId: resource.sid,
        accepted: true,
        status: 201,
      }),
    ]);
  });

  it('records the StatusCallback, and keeps the auth token out of every listing', async () => {
    const callback = 'http://127.0.0.1:8080/v1/webhooks/twilio';
    const res = await sb.call({
      method: 'POST',
      url,
      headers: auth,
      payload: encode({ To: '+15551234567', From: '+15005550006', Body: 'hi', StatusCallback: callback }),
    });

    const [message] = sb.store.list();
    expect(message).toEqual(
      expect.objectContaining({ statusCallback: callback, providerMessageId: res.json().sid }),
    );
    expect(sb.store.twilioCredentials(message!)).toEqual({ accountSid: SID, authToken: 'secret' });
    const listed = await sb.call({ method: 'GET', url: '/api/messages' });
    const page = await sb.call({ method: 'GET', url: '/' });
    expect(listed.body).not.toContain('secret');
    expect(page.body).not.toContain('secret');
  });

  it('accepts a MessagingServiceSid instead of From', async () => {
    const res = await sb.call({
      method: 'POST',
      url,
      headers: auth,
      payload: encode({ To: '+15551234567', MessagingServiceSid: 'MG0123', Body: 'hi' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ from: null, messaging_service_sid: 'MG0123' });
  });

  it.each([
    ['no credentials', form],
    ['another account', { ...form, ...basic('AC99999999999999999999999999999999', 'secret') }],
    ['an empty password', { ...form, ...basic(SID, '') }],
  ])('answers 401 code 20003 for %s', async (_case, headers) => {
    const res = await sb.call({
      method: 'POST',
      url,
      headers,
      payload: encode({ To: '+15551234567', Body: 'x' }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });

  it.each(['+15005550001', '5551234567', '+0123456789', 'not a number'])(
    'answers 400 code 21211 for To=%s',
    async (to) => {
      const res = await sb.call({
        method: 'POST',
        url,
        headers: auth,
        payload: encode({ To: to, From: '+15005550006', Body: 'x' }),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        code: 21211,
        message: `The 'To' number ${to} is not a valid phone number.`,
        more_info: 'https://www.twilio.com/docs/errors/21211',
        status: 400,
      });
      expect(sb.store.list()).toEqual([expect.objectContaining({ to, accepted: false, status: 400 })]);
    },
  );

  it.each([
    [{ From: '+15005550006', Body: 'x' }, 21604],
    [{ To: '+15551234567', Body: 'x' }, 21603],
    [{ To: '+15551234567', From: '+15005550006' }, 21602],
  ])('answers 400 for missing fields %j', async (fields, code) => {
    const res = await sb.call({ method: 'POST', url, headers: auth, payload: encode(fields) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code, status: 400 });
  });

  it('answers injected faults in Twilio format', async () => {
    sb.faults.set({ provider: 'twilio', errorRate: 1, status: 503, latencyMs: 0, outage: false });
    const res = await sb.call({
      method: 'POST',
      url,
      headers: auth,
      payload: encode({ To: '+15551234567', From: '+15005550006', Body: 'x' }),
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 20503, status: 503 });
  });
});

describe('fake Twilio answering injected catalog codes', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox();
  });
  afterEach(() => sb.close());

  const to = '+15551234567';
  it.each([
    ['21211', 400, `The 'To' number ${to} is not a valid phone number.`],
    [
      '21408',
      400,
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
    ],
    ['21610', 400, 'Attempt to send to unsubscribed recipient'],
    ['21612', 400, `The 'To' phone number: ${to}, is not currently reachable via SMS.`],
    ['21614', 400, `The 'To' number ${to} is not a valid mobile number.`],
    ['20003', 401, 'Authenticate'],
    ['20429', 429, 'Too Many Requests'],
    ['20500', 500, 'Internal Server Error'],
    ['20503', 503, 'Service Unavailable'],
  ])('answers code %s with %d and its message', async (code, status, message) => {
    sb.faults.set({ provider: 'twilio', errorRate: 0, code, latencyMs: 0, outage: true });
    const res = await sb.call({
      method: 'POST',
      url,
      headers: auth,
      payload: encode({ To: to, From: '+15005550006', Body: 'x' }),
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({
      code: Number(code),
      message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
    });
    expect(res.headers.get('retry-after')).toBe(status === 429 ? '1' : null);
    expect(sb.store.list()).toEqual([expect.objectContaining({ to, accepted: false, status })]);
  });

  it('fails only the targeted number, before checking the request', async () => {
    sb.faults.set({ provider: 'twilio', errorRate: 1, code: '21610', latencyMs: 0, outage: false, to: [to] });
    const send = (fields: Record<string, string>) =>
      sb.call({ method: 'POST', url, headers: auth, payload: encode(fields) });
    expect((await send({ To: to })).json()).toMatchObject({ code: 21610 });
    expect((await send({ To: '+15557654321', From: '+15005550006', Body: 'x' })).statusCode).toBe(201);
  });
});

describe('countSegments', () => {
  it.each([
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['€'.repeat(80), 1],
    ['€'.repeat(81), 2],
    ['é'.repeat(160), 1],
    ['ж'.repeat(70), 1],
    ['ж'.repeat(71), 2],
    ['😀'.repeat(35), 1],
    ['😀'.repeat(36), 2],
  ])('%#: %s takes %d segment(s)', (body, segments) => {
    expect(countSegments(body)).toBe(segments);
  });
});
