import { parseCursor } from '../../src/routes/api';
import { bearer, startTestSandbox } from '../support/http';
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
