import { basic, bearer, startTestSandbox } from './support/http';
import type { CallResult, TestSandbox } from './support/http';

const SID = 'AC0123456789abcdef0123456789abcdef';

async function sendEach(sb: TestSandbox): Promise<void> {
  await sb.call({
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
  await sb.call({
    method: 'POST',
    url: `/2010-04-01/Accounts/${SID}/Messages.json`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(SID, 't') },
    payload: 'To=%2B15551234567&From=%2B15005550006&Body=hi',
  });
  await sb.call({
    method: 'POST',
    url: '/v1/projects/p/messages:send',
    headers: bearer,
    payload: { message: { token: 'unregistered-1', notification: { title: 'T', body: 'B' } } },
  });
}

const tos = (res: CallResult) => res.json<{ messages: { to: string }[] }>().messages.map((m) => m.to);

describe('provider sandbox app', () => {
  let sb: TestSandbox;
  let random: jest.Mock<number, []>;
  let sleep: jest.Mock<Promise<void>, [number]>;
  beforeEach(async () => {
    random = jest.fn<number, []>(() => 0.5);
    sleep = jest.fn<Promise<void>, [number]>(() => Promise.resolve());
    sb = await startTestSandbox({ random, sleep });
  });
  afterEach(() => sb.close());

  it('answers /healthz', async () => {
    const res = await sb.call({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
  });

  it('fails loudly with 404 JSON on a route it does not fake', async () => {
    const res = await sb.call({ method: 'POST', url: '/v3/marketing/contacts', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: 'not_found',
      message: 'The provider sandbox has no route for POST /v3/marketing/contacts',
    });
  });

  describe('GET/DELETE /api/messages', () => {
    beforeEach(() => sendEach(sb));

    it('lists everything, newest last', async () => {
      const res = await sb.call({ method: 'GET', url: '/api/messages' });
      expect(tos(res)).toEqual(['ada@example.com', '+15551234567', 'unregistered-1']);
    });

    it.each([
      ['channel=sms', ['+15551234567']],
      ['provider=sendgrid', ['ada@example.com']],
      ['to=unregistered-1', ['unregistered-1']],
      ['accepted=false', ['unregistered-1']],
      ['accepted=true&channel=email', ['ada@example.com']],
      ['channel=push&accepted=true', []],
    ])('filters by %s', async (query, expected) => {
      expect(tos(await sb.call({ method: 'GET', url: `/api/messages?${query}` }))).toEqual(expected);
    });

    it('refuses unknown filters and values with 400', async () => {
      const res = await sb.call({ method: 'GET', url: '/api/messages?channel=fax&colour=red&accepted=yes' });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ problems: string[] }>().problems).toHaveLength(3);
    });

    it('clears on DELETE', async () => {
      expect((await sb.call({ method: 'DELETE', url: '/api/messages' })).statusCode).toBe(204);
      expect(tos(await sb.call({ method: 'GET', url: '/api/messages' }))).toEqual([]);
    });
  });

  describe('/api/faults', () => {
    const fault = (payload: unknown) => sb.call({ method: 'POST', url: '/api/faults', payload });
    const sendMail = () =>
      sb.call({
        method: 'POST',
        url: '/v3/mail/send',
        headers: bearer,
        payload: {
          personalizations: [{ to: [{ email: 'a@x.test' }] }],
          from: { email: 'f@x.test' },
          subject: 's',
          content: [{ type: 'text/plain', value: 'b' }],
        },
      });

    it('stores a fault with defaults and lists it', async () => {
      const res = await fault({ provider: 'twilio', errorRate: 0.25 });
      expect(res.statusCode).toBe(200);
      const expected = { provider: 'twilio', errorRate: 0.25, status: 503, latencyMs: 0, outage: false };
      expect(res.json()).toEqual({ fault: expected });
      expect((await sb.call({ method: 'GET', url: '/api/faults' })).json()).toEqual({ faults: [expected] });
    });

    it('refuses bad input with 400 listing the problems', async () => {
      const res = await fault({
        provider: 'mailgun',
        errorRate: 2,
        status: 418,
        latencyMs: -1,
        outage: 'yes',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ problems: string[] }>().problems).toHaveLength(5);
    });

    it('fails the share of requests the injected random picks', async () => {
      random.mockReturnValueOnce(0.1).mockReturnValueOnce(0.9);
      await fault({ provider: 'sendgrid', errorRate: 0.5, status: 500 });
      expect((await sendMail()).statusCode).toBe(500);
      expect((await sendMail()).statusCode).toBe(202);
    });

    it('fails everything during an outage, only for that provider, until cleared', async () => {
      await fault({ provider: 'sendgrid', outage: true });
      expect((await sendMail()).statusCode).toBe(503);
      expect(sb.store.list()).toEqual([expect.objectContaining({ accepted: false, status: 503 })]);
      expect((await sb.call({ method: 'DELETE', url: '/api/faults' })).statusCode).toBe(204);
      expect((await sendMail()).statusCode).toBe(202);
    });

    it('delays answers by latencyMs', async () => {
      await fault({ provider: 'sendgrid', latencyMs: 1500 });
      expect((await sendMail()).statusCode).toBe(202);
      expect(sleep).toHaveBeenCalledWith(1500);
    });
  });

  describe('GET /', () => {
    it('lists messages newest first, HTML-escaped', async () => {
      await sendEach(sb);
      await sb.call({
        method: 'POST',
        url: '/v3/mail/send',
        headers: bearer,
        payload: {
          personalizations: [{ to: [{ email: 'eve@example.com' }] }],
          from: { email: 'f@herald.test' },
          subject: '<script>alert("x")</script>',
          content: [{ type: 'text/plain', value: 'Tom & Jerry' }],
        },
      });
      const res = await sb.call({ method: 'GET', url: '/' });

      expect(res.statusCode).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.body).not.toContain('<script>');
      expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(res.body).toContain('Tom &amp; Jerry');
      expect(res.body.indexOf('eve@example.com')).toBeLessThan(res.body.indexOf('ada@example.com'));
    });
  });
});
