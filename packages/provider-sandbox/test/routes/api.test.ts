import { parseCursor, parseStatsQuery } from '../../src/routes/api';
import { basic, bearer, startTestSandbox } from '../support/http';
import type { TestSandbox } from '../support/http';

const mail = (id: string) => ({
  personalizations: [{ to: [{ email: 'ada@example.com' }], custom_args: { notificationId: id } }],
  from: { email: 'f@herald.test' },
  subject: 'S',
  content: [{ type: 'text/plain', value: 'B' }],
});

describe('parseCursor', () => {
  it('defaults and reads after and limit', () => {
    expect(parseCursor({})).toEqual({ ok: true, after: 0, limit: 50_000 });
    expect(parseCursor({ after: '7', limit: '2' })).toEqual({ ok: true, after: 7, limit: 2 });
  });

  it('lists every problem', () => {
    expect(parseCursor({ after: '-1', limit: ['1', '2'], since: '3' })).toEqual({
      ok: false,
      problems: [
        "unknown parameter 'since' (use after, limit)",
        'after must be a non-negative integer',
        'limit must be a non-negative integer',
      ],
    });
  });
});

describe('GET/DELETE /api/deliveries', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox({ keepDeliveries: true, capacity: 0 });
  });
  afterEach(() => sb.close());

  it('pages accepted deliveries with their notification id while the inbox keeps nothing', async () => {
    for (const id of ['n1', 'n2', 'n3']) {
      const res = await sb.call({ method: 'POST', url: '/v3/mail/send', headers: bearer, payload: mail(id) });
      expect(res.statusCode).toBe(202);
    }
    const first = await sb.call({ method: 'GET', url: '/api/deliveries?limit=2' });
    expect(first.json()).toMatchObject({
      from: 0,
      next: 2,
      total: 3,
      ref: ['n1', 'n2'],
      channel: ['email', 'email'],
    });
    const rest = await sb.call({ method: 'GET', url: '/api/deliveries?after=2' });
    expect(rest.json()).toMatchObject({
      from: 2,
      next: 3,
      ref: ['n3'],
      counts: { sendgrid: { accepted: 3 } },
    });
    expect(sb.store.size).toBe(0);

    expect((await sb.call({ method: 'DELETE', url: '/api/deliveries' })).statusCode).toBe(204);
    expect((await sb.call({ method: 'GET', url: '/api/deliveries' })).json()).toMatchObject({ total: 0 });
  });

  it('refuses a malformed cursor', async () => {
    const res = await sb.call({ method: 'GET', url: '/api/deliveries?after=x' });
    expect(res.statusCode).toBe(400);
  });
});

describe('parseStatsQuery', () => {
  it('reads the provider and an optional recipient', () => {
    expect(parseStatsQuery({ provider: 'twilio' })).toEqual({ ok: true, value: { provider: 'twilio' } });
    expect(parseStatsQuery({ provider: 'fcm', to: 'tok' })).toEqual({
      ok: true,
      value: { provider: 'fcm', to: 'tok' },
    });
  });

  it('lists every problem', () => {
    expect(parseStatsQuery({ to: ['a', 'b'], since: '1' })).toEqual({
      ok: false,
      problems: [
        'to must be given once',
        "unknown parameter 'since' (use provider, to)",
        'provider is required (one of sendgrid, twilio, fcm, smtp)',
      ],
    });
    expect(parseStatsQuery({ provider: 'mailgun' })).toEqual({
      ok: false,
      problems: ["invalid provider 'mailgun' (use sendgrid, twilio, fcm, smtp)"],
    });
  });
});

describe('fault and stats API', () => {
  const SID = 'AC0123456789abcdef0123456789abcdef';
  const clock = { t: 1_000_000 };
  let sb: TestSandbox;
  beforeEach(async () => {
    clock.t = 1_000_000;
    sb = await startTestSandbox({ now: () => clock.t });
  });
  afterEach(() => sb.close());

  const fault = (payload: unknown) => sb.call({ method: 'POST', url: '/api/faults', payload });
  const faults = async () =>
    (await sb.call({ method: 'GET', url: '/api/faults' })).json<{ faults: unknown[] }>();
  const sms = (to: string) =>
    sb.call({
      method: 'POST',
      url: `/2010-04-01/Accounts/${SID}/Messages.json`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(SID, 't') },
      payload: new URLSearchParams({ To: to, From: '+15005550006', Body: 'hi' }).toString(),
    });
  const stats = (query: string) => sb.call({ method: 'GET', url: `/api/stats?${query}` });

  it('refuses an unknown code with 400 listing the known ones', async () => {
    const res = await fault({ provider: 'fcm', code: 'NOT_REGISTERED', outage: true });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'bad_request',
      problems: [
        "code 'NOT_REGISTERED' is not a fcm error the sandbox knows (known: UNREGISTERED, INVALID_ARGUMENT, INVALID_PAYLOAD, SENDER_ID_MISMATCH, QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, THIRD_PARTY_AUTH_ERROR)",
      ],
    });
  });

  it('keeps targeted specs beside the provider-wide one, replacing those with the same recipients', async () => {
    await fault({ provider: 'twilio', to: ['+15550000001'], code: '21610', outage: true });
    await fault({ provider: 'twilio', to: ['+15550000002'], code: '21612', outage: true });
    await fault({ provider: 'twilio', to: ['+15550000001'], code: '21614', outage: true });
    await fault({ provider: 'twilio', latencyMs: 10 });
    expect(await faults()).toEqual({
      faults: [
        { provider: 'twilio', errorRate: 0, status: 503, latencyMs: 10, outage: false },
        { provider: 'twilio', errorRate: 0, code: '21614', latencyMs: 0, outage: true, to: ['+15550000001'] },
        { provider: 'twilio', errorRate: 0, code: '21612', latencyMs: 0, outage: true, to: ['+15550000002'] },
      ],
    });
    expect((await sms('+15550000001')).json()).toMatchObject({ code: 21614, status: 400 });
    expect((await sms('+15550000002')).json()).toMatchObject({ code: 21612, status: 400 });
    expect((await sms('+15550000003')).statusCode).toBe(201);
  });

  it("clears one provider's faults with DELETE /api/faults/:provider", async () => {
    await fault({ provider: 'twilio', outage: true });
    await fault({ provider: 'twilio', outage: true, to: ['+15550000001'] });
    await fault({ provider: 'fcm', outage: true });
    expect((await sb.call({ method: 'DELETE', url: '/api/faults/twilio' })).statusCode).toBe(204);
    expect(await faults()).toEqual({ faults: [expect.objectContaining({ provider: 'fcm' })] });
    expect((await sms('+15550000001')).statusCode).toBe(201);

    const bad = await sb.call({ method: 'DELETE', url: '/api/faults/mailgun' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: 'bad_request',
      problems: ["invalid provider 'mailgun' (use sendgrid, twilio, fcm, smtp)"],
    });
  });

  it('rate limits a provider with its own 429, and /api/stats shows what the provider saw', async () => {
    await fault({ provider: 'twilio', rateLimit: 3 });
    const statuses: number[] = [];
    for (const t of [0, 100, 200, 300, 400, 1100, 1150, 1190]) {
      clock.t = 1_000_000 + t;
      const res = await sms('+15551234567');
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.json()).toEqual(expect.objectContaining({ code: 20429, status: 429 }));
      }
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429, 201, 201, 429]);
    expect(sb.store.list({ accepted: false }).map((m) => m.status)).toEqual([429, 429, 429]);

    const res = await stats('provider=twilio');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ provider: 'twilio', requests: 8, accepted: 5, maxPerSecond: 6 });
    expect(sb.store.maxPerSecond({ provider: 'twilio', accepted: true })).toBe(3);
    expect((await stats('provider=sendgrid')).json()).toEqual({
      provider: 'sendgrid',
      requests: 0,
      accepted: 0,
      maxPerSecond: 0,
    });
    expect((await stats('provider=twilio&to=%2B15550000000')).json()).toMatchObject({ requests: 0 });
  });

  it('refuses a bad stats query with 400', async () => {
    const res = await stats('provider=fax&colour=red');
    expect(res.statusCode).toBe(400);
    expect(res.json<{ problems: string[] }>().problems).toHaveLength(2);
  });
});
