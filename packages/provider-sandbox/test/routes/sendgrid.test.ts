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

  it('records the sender name, reply-to, headers, categories and custom args', async () => {
    const unsubscribe = {
      'List-Unsubscribe': '<http://127.0.0.1:8080/u/abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    };
    await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: mail('ada@example.com', {
        reply_to: { email: 'support@herald.test', name: 'Support' },
        headers: unsubscribe,
        categories: ['billing'],
        custom_args: { notificationId: 'n-1', category: 'billing' },
      }),
    });

    expect(sb.store.list()).toEqual([
      expect.objectContaining({
        from: 'noreply@herald.test',
        fromName: 'Herald',
        replyTo: 'support@herald.test',
        headers: unsubscribe,
        categories: ['billing'],
        data: { notificationId: 'n-1', category: 'billing' },
        accepted: true,
      }),
    ]);
  });

  it("gives each recipient its personalization's subject, custom args and headers over the mail's", async () => {
    await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: mail('unused@x.test', {
        personalizations: [
          { to: [{ email: 'a@x.test' }], custom_args: { notificationId: 'n-a' }, headers: { 'X-A': '1' } },
          { to: [{ email: 'b@x.test' }], subject: 'For B', custom_args: { notificationId: 'n-b' } },
        ],
        headers: { 'X-Mail': 'm', 'X-A': '0' },
        custom_args: { tenant: 't1', notificationId: 'mail' },
      }),
    });

    const records = sb.store.list().map(({ to, subject, data, headers }) => ({ to, subject, data, headers }));
    expect(records).toEqual([
      {
        to: 'a@x.test',
        subject: 'Your code',
        data: { tenant: 't1', notificationId: 'n-a' },
        headers: { 'X-Mail': 'm', 'X-A': '1' },
      },
      {
        to: 'b@x.test',
        subject: 'For B',
        data: { tenant: 't1', notificationId: 'n-b' },
        headers: { 'X-Mail': 'm', 'X-A': '0' },
      },
    ]);
  });

  it('leaves out what the mail did not have', async () => {
    await sb.call({
      method: 'POST',
      url: '/v3/mail/send',
      headers: bearer,
      payload: mail('ada@example.com', { from: { email: 'noreply@herald.test' }, custom_args: undefined }),
    });
    const [record] = sb.store.list();
    for (const field of ['fromName', 'replyTo', 'headers', 'categories', 'data']) {
      expect(record?.[field as keyof typeof record]).toBeUndefined();
    }
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

describe('fake SendGrid answering injected catalog codes', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox();
  });
  afterEach(() => sb.close());

  const send = (payload: unknown) =>
    sb.call({ method: 'POST', url: '/v3/mail/send', headers: bearer, payload });

  it.each([
    ['invalid_email', 400, 'Does not contain a valid address.', 'personalizations.0.to.0.email'],
    [
      'bad_request',
      400,
      'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
      'content',
    ],
    ['unauthorized', 401, 'The provided authorization grant is invalid, expired, or revoked', null],
    ['forbidden', 403, 'access forbidden', null],
    ['payload_too_large', 413, 'The JSON payload you have included in your request is too large.', null],
    ['rate_limited', 429, 'too many requests', null],
    ['internal', 500, 'internal server error', null],
    ['unavailable', 503, 'service unavailable', null],
  ])('answers %s with %d and its error', async (code, status, message, field) => {
    sb.faults.set({ provider: 'sendgrid', errorRate: 1, code, latencyMs: 0, outage: false });
    const res = await send(mail('ada@example.com'));
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ errors: [{ message, field, help: null }] });
    expect(res.headers.get('retry-after')).toBe(status === 429 ? '1' : null);
    expect(sb.store.list()).toEqual([
      expect.objectContaining({ to: 'ada@example.com', accepted: false, status }),
    ]);
  });

  it('fails a mail naming a targeted address in any personalization, before validating the body', async () => {
    sb.faults.set({
      provider: 'sendgrid',
      errorRate: 0,
      code: 'invalid_email',
      latencyMs: 0,
      outage: true,
      to: ['bounce@x.test'],
    });
    const twoPersonalizations = {
      ...mail('ok@x.test'),
      personalizations: [{ to: [{ email: 'ok@x.test' }] }, { to: [{ email: 'bounce@x.test' }] }],
      content: [],
    };
    const targeted = await send(twoPersonalizations);
    expect(targeted.statusCode).toBe(400);
    expect(targeted.json()).toMatchObject({ errors: [{ field: 'personalizations.0.to.0.email' }] });
    expect(sb.store.list().map((m) => [m.to, m.status])).toEqual([
      ['ok@x.test', 400],
      ['bounce@x.test', 400],
    ]);
    expect((await send(mail('ok@x.test'))).statusCode).toBe(202);
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
