import { validateMail } from '../../src/routes/sendgrid';
import { bearer, startTestSandbox } from '../support/http';
import type { TestSandbox } from '../support/http';

const mail = (to: string | string[], extra: Record<string, unknown> = {}) => ({
  personalizations: [{ to: (Array.isArray(to) ? to : [to]).map((email) => ({ email })) }],
  from: { email: 'noreply@herald.test', name: 'Herald' },
  subject: 'Your code',
  content: [
    { type: 'text/plain', value: 'Code: 1234' },
    { type: 'text/html', value: '<p>Code: <b>1234</b></p>' },
  ],
  custom_args: { notificationId: 'n-1' },
  ...extra,
});

describe('fake SendGrid POST /v3/mail/send', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox();
  });
  afterEach(() => sb.close());

  it('accepts a mail with 202 and an X-Message-Id, and records what was sent', async () => {
    const res = await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: mail('ada@example.com'),
    });

    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('');
    const id = res.headers.get('x-message-id');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sb.store.list()).toEqual([
      expect.objectContaining({
        provider: 'sendgrid',
        channel: 'email',
        to: 'ada@example.com',
        from: 'noreply@herald.test',
        subject: 'Your code',
        body: 'Code: 1234',
        html: '<p>Code: <b>1234</b></p>',
        data: { notificationId: 'n-1' },
        providerMessageId: id,
        accepted: true,
        status: 202,
      }),
    ]);
    expect(new Date(sb.store.list()[0]!.receivedAt).toISOString()).toBe(sb.store.list()[0]!.receivedAt);
  });

  it('records one message per recipient', async () => {
    await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: mail(['a@x.test', 'b@x.test']),
    });
    expect(sb.store.list().map((m) => m.to)).toEqual(['a@x.test', 'b@x.test']);
  });

  it('answers 401 in SendGrid error format without a bearer token, and records the rejection', async () => {
    const res = await sb.call({ method: 'POST', url: '/v3/mail/send', payload: mail('ada@example.com') });

    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      errors: [
        {
          message: expect.stringContaining('authorization grant is invalid') as string,
          field: null,
          help: null,
        },
      ],
    });
    expect(sb.store.list()).toEqual([
      expect.objectContaining({
        to: 'ada@example.com',
        accepted: false,
        status: 401,
        providerMessageId: null,
      }),
    ]);
  });

  it('rejects an address at invalid.test with 400 naming the field', async () => {
    const res = await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: mail('someone@invalid.test'),
    });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      errors: [
        { message: 'Does not contain a valid address.', field: 'personalizations.0.to.0.email', help: null },
      ],
    });
    expect(sb.store.list({ accepted: false })).toHaveLength(1);
  });

  it('answers an injected 429 in SendGrid format with Retry-After', async () => {
    sb.faults.set({ provider: 'sendgrid', errorRate: 0, status: 429, latencyMs: 0, outage: true });
    const res = await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: mail('a@x.test'),
    });

    expect(res.statusCode).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.json()).toEqual({ errors: [{ message: 'too many requests', field: null, help: null }] });
  });
});

describe('validateMail', () => {
  it('names every missing part of an empty body', () => {
    expect(validateMail({}).map((e) => e.field)).toEqual([
      'personalizations',
      'from.email',
      'subject',
      'content',
    ]);
  });

  it('refuses a body that is not an object', () => {
    expect(validateMail('nope')).toEqual([{ message: 'Bad Request', field: null, help: null }]);
  });

  it('accepts a subject given per personalization, and a template instead of content', () => {
    const body = {
      personalizations: [{ to: [{ email: 'a@x.test' }], subject: 'Hi' }],
      from: { email: 'f@x.test' },
      template_id: 'd-123',
    };
    expect(validateMail(body)).toEqual([]);
  });

  it('checks every recipient and the sender address', () => {
    const body = {
      personalizations: [{ to: [{ email: 'ok@x.test' }, { email: 'not-an-address' }] }, { to: [] }],
      from: { email: 'x@invalid.test' },
      subject: 's',
      content: [{ type: 'text/plain', value: 'b' }],
    };
    expect(validateMail(body).map((e) => e.field)).toEqual([
      'personalizations.0.to.1.email',
      'personalizations.1.to',
      'from.email',
    ]);
  });
});
