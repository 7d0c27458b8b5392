import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { createSandbox } from '../../src/app';
import { startTestSandbox } from '../support/http';
import type { TestSandbox } from '../support/http';

type Auth = { user: string; pass: string; method?: 'PLAIN' | 'LOGIN' };

/** What Herald's SMTP sender sends (services/dispatcher-email/src/adapters/smtp.ts). */
const heraldMail = (to: string | string[]) => ({
  from: { name: 'Herald', address: 'notifications@herald.test' },
  to,
  replyTo: 'support@herald.test',
  subject: 'Your order shipped',
  text: 'Order R42 shipped.',
  html: '<p>Order <b>R42</b> shipped.</p>',
  headers: {
    'X-Herald-Notification-Id': 'n-1',
    'List-Unsubscribe': '<https://herald.test/v1/unsubscribe/abc>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
});

describe('sandbox SMTP server', () => {
  let sb: TestSandbox;
  let port: number;
  let transports: Transporter<SMTPTransport.SentMessageInfo>[];
  let sleep: jest.Mock<Promise<void>, [number]>;
  const transport = (auth?: Auth, opts: SMTPTransport.Options = {}) => {
    const created = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ...(auth ? { auth: { user: auth.user, pass: auth.pass }, authMethod: auth.method } : {}),
      ...opts,
    });
    transports.push(created);
    return created;
  };
  const smtpMessages = () => sb.store.list({ provider: 'smtp' });

  beforeEach(async () => {
    transports = [];
    sleep = jest.fn<Promise<void>, [number]>(() => Promise.resolve());
    sb = await startTestSandbox({ sleep, now: () => Date.UTC(2030, 0, 2) });
    ({ port } = await sb.smtp.listen());
  });
  afterEach(async () => {
    for (const t of transports) t.close();
    await sb.close();
  });

  it('records a message once per recipient: addresses, subject, parts, headers, Message-ID', async () => {
    const info = await transport({ user: 'herald', pass: 'secret' }).sendMail(
      heraldMail(['ada@example.com', 'bob@example.com']),
    );

    expect(info.accepted).toEqual(['ada@example.com', 'bob@example.com']);
    expect(info.response).toMatch(/^250 /);
    expect(info.messageId).toMatch(/^<.+@.+>$/);
    const expected = (to: string) => ({
      id: expect.any(String),
      provider: 'smtp',
      channel: 'email',
      to,
      from: 'notifications@herald.test',
      fromName: 'Herald',
      replyTo: 'support@herald.test',
      subject: 'Your order shipped',
      body: 'Order R42 shipped.',
      html: '<p>Order <b>R42</b> shipped.</p>',
      // By the name as sent: nodemailer writes the header names it is given its own way.
      headers: {
        'X-Herald-Notification-ID': 'n-1',
        'List-Unsubscribe': '<https://herald.test/v1/unsubscribe/abc>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      providerMessageId: info.messageId,
      receivedAt: '2030-01-02T00:00:00.000Z',
      accepted: true,
      status: 250,
    });
    expect(smtpMessages()).toEqual([expected('ada@example.com'), expected('bob@example.com')]);
    expect(sb.store.byProviderMessageId(info.messageId)).toHaveLength(2);
  });

  it('lists SMTP messages in /api/messages, /api/stats and the inbox page', async () => {
    await transport().sendMail(heraldMail('ada@example.com'));
    const listed = await sb.call({ method: 'GET', url: '/api/messages?provider=smtp' });
    expect(listed.json()).toEqual({
      messages: [expect.objectContaining({ provider: 'smtp', channel: 'email', to: 'ada@example.com' })],
    });
    const stats = await sb.call({ method: 'GET', url: '/api/stats?provider=smtp' });
    expect(stats.json()).toEqual({ provider: 'smtp', requests: 1, accepted: 1, maxPerSecond: 1 });
    const page = await sb.call({ method: 'GET', url: '/' });
    expect(page.body).toContain('<td>smtp</td><td>email</td><td>ada@example.com</td>');
  });

  it.each([
    ['without AUTH', undefined],
    ['AUTH PLAIN', { user: 'any', pass: 'thing', method: 'PLAIN' }],
    ['AUTH LOGIN', { user: 'someone@else', pass: 'p@ss word', method: 'LOGIN' }],
  ] as const)('takes mail %s, any user and password, over a pooled transport', async (_label, auth) => {
    const info = await transport(auth, { pool: true }).sendMail(heraldMail('ada@example.com'));
    expect(info.accepted).toEqual(['ada@example.com']);
    expect(smtpMessages()).toEqual([expect.objectContaining({ accepted: true, status: 250 })]);
  });

  it('keeps the headers it has no field for, unfolded, and the first of a repeated one', async () => {
    const long = `<https://herald.test/v1/unsubscribe/${'a'.repeat(60)}>, <mailto:u@herald.test?subject=${'b'.repeat(40)}>`;
    await transport().sendMail({
      from: 'f@herald.test',
      to: 'ada@example.com',
      subject: 's',
      text: 't',
      headers: { 'List-Unsubscribe': long, 'X-Tag': ['first', 'second'] },
    });
    expect(smtpMessages()[0]?.headers).toEqual({ 'List-Unsubscribe': long, 'X-Tag': 'first' });
    expect(smtpMessages()[0]).not.toHaveProperty('html', expect.anything());
  });

  describe('faults', () => {
    const fault = (payload: Record<string, unknown>) =>
      sb.call({ method: 'POST', url: '/api/faults', payload: { provider: 'smtp', ...payload } });

    it('refuses a targeted recipient with 550 at RCPT TO and takes the others', async () => {
      expect((await fault({ code: '550', outage: true, to: ['gone@example.com'] })).statusCode).toBe(200);

      await expect(transport().sendMail(heraldMail('gone@example.com'))).rejects.toMatchObject({
        code: 'EENVELOPE',
        responseCode: 550,
        command: 'RCPT TO',
        response: expect.stringMatching(/^550 5\.1\.1 /),
      });
      const info = await transport().sendMail(heraldMail(['gone@example.com', 'ada@example.com']));
      expect(info).toMatchObject({ accepted: ['ada@example.com'], rejected: ['gone@example.com'] });

      expect(smtpMessages().map((m) => [m.to, m.accepted, m.status])).toEqual([
        ['gone@example.com', false, 550],
        ['gone@example.com', false, 550],
        ['ada@example.com', true, 250],
      ]);
      expect(smtpMessages()[0]).toMatchObject({ from: 'notifications@herald.test', providerMessageId: null });
    });

    it('answers an outage with 421 at MAIL FROM, until cleared', async () => {
      await fault({ outage: true });
      await expect(transport().sendMail(heraldMail('ada@example.com'))).rejects.toMatchObject({
        responseCode: 421,
        command: 'MAIL FROM',
        response: '421 4.3.2 Service not available, closing transmission channel',
      });
      expect(smtpMessages()).toEqual([
        expect.objectContaining({ to: '', from: 'notifications@herald.test', accepted: false, status: 421 }),
      ]);

      expect((await sb.call({ method: 'DELETE', url: '/api/faults/smtp' })).statusCode).toBe(204);
      expect((await transport().sendMail(heraldMail('ada@example.com'))).accepted).toEqual([
        'ada@example.com',
      ]);
    });

    it('fails the share errorRate picks with the generic reply for the status: 500 is 451 after DATA', async () => {
      const random = jest.fn(() => 0.1);
      const local = await startTestSandbox({ random, sleep });
      const localPort = (await local.smtp.listen()).port;
      try {
        local.faults.set({ provider: 'smtp', errorRate: 0.5, status: 500, latencyMs: 0, outage: false });
        const send = () => {
          const t = nodemailer.createTransport({ host: '127.0.0.1', port: localPort });
          transports.push(t);
          return t.sendMail(heraldMail('ada@example.com'));
        };
        await expect(send()).rejects.toMatchObject({ responseCode: 451, command: 'DATA' });
        random.mockReturnValue(0.9);
        await expect(send()).resolves.toMatchObject({ accepted: ['ada@example.com'] });
        expect(local.store.list().map((m) => [m.status, m.subject, m.accepted])).toEqual([
          [451, 'Your order shipped', false],
          [250, 'Your order shipped', true],
        ]);
      } finally {
        await local.close();
      }
    });

    it('refuses a message with 552 after DATA for a code, and past the size limit', async () => {
      await fault({ code: '552', outage: true, to: ['big@example.com'] });
      await expect(transport().sendMail(heraldMail('big@example.com'))).rejects.toMatchObject({
        responseCode: 552,
        command: 'DATA',
      });

      const small = await startTestSandbox({ smtpMaxMessageBytes: 2000 });
      const smallPort = (await small.smtp.listen()).port;
      try {
        const t = nodemailer.createTransport({ host: '127.0.0.1', port: smallPort });
        transports.push(t);
        await expect(
          t.sendMail({ ...heraldMail('ada@example.com'), text: 'x'.repeat(5000) }),
        ).rejects.toMatchObject({ responseCode: 552 });
        expect(small.store.list()).toEqual([
          expect.objectContaining({ to: 'ada@example.com', accepted: false, status: 552 }),
        ]);
      } finally {
        await small.close();
      }
    });

    it('refuses AUTH with 535 for a provider-wide 535, and asks a client without AUTH to authenticate', async () => {
      await fault({ code: '535', outage: true });
      await expect(
        transport({ user: 'herald', pass: 'secret' }).sendMail(heraldMail('ada@example.com')),
      ).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });
      await expect(transport().sendMail(heraldMail('ada@example.com'))).rejects.toMatchObject({
        responseCode: 530,
        command: 'MAIL FROM',
      });
      expect(smtpMessages()).toEqual([expect.objectContaining({ accepted: false, status: 530 })]);
    });

    it('waits latencyMs at MAIL FROM, and a targeted spec at its RCPT TO', async () => {
      await fault({ latencyMs: 1500 });
      await fault({ latencyMs: 200, to: ['slow@example.com'] });
      await transport().sendMail(heraldMail(['ada@example.com', 'slow@example.com']));
      expect(sleep.mock.calls).toEqual([[1500], [200]]);
    });

    it('answers 452 at MAIL FROM past the rate limit, which /api/stats shows', async () => {
      await fault({ rateLimit: 1 });
      const t = transport();
      await t.sendMail(heraldMail('ada@example.com'));
      await expect(t.sendMail(heraldMail('bob@example.com'))).rejects.toMatchObject({
        responseCode: 452,
        command: 'MAIL FROM',
      });
      const stats = await sb.call({ method: 'GET', url: '/api/stats?provider=smtp' });
      expect(stats.json()).toEqual({ provider: 'smtp', requests: 2, accepted: 1, maxPerSecond: 2 });
    });
  });
});

describe('sandbox SMTP server lifecycle', () => {
  it('closes with app.close(), ending idle connections, and can listen again', async () => {
    const sandbox = createSandbox();
    const { port } = await sandbox.smtp.listen();
    expect(sandbox.smtp.address()).toEqual({ host: '127.0.0.1', port });
    await expect(sandbox.smtp.listen()).rejects.toThrow('already listening');

    const pooled = nodemailer.createTransport({ host: '127.0.0.1', port, pool: true });
    try {
      await pooled.sendMail(heraldMail('ada@example.com'));
      await sandbox.app.close();
      expect(sandbox.smtp.address()).toBeNull();
      const fresh = nodemailer.createTransport({ host: '127.0.0.1', port });
      await expect(fresh.sendMail(heraldMail('ada@example.com'))).rejects.toMatchObject({
        code: 'ESOCKET',
      });
    } finally {
      pooled.close();
    }

    const again = await sandbox.smtp.listen();
    expect(again.port).toBeGreaterThan(0);
    await sandbox.smtp.close();
    await sandbox.smtp.close();
    expect(sandbox.smtp.address()).toBeNull();
  });

  it('rejects listening on a port in use', async () => {
    const first = createSandbox();
    const second = createSandbox();
    const { port } = await first.smtp.listen();
    try {
      await expect(second.smtp.listen(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(second.smtp.address()).toBeNull();
    } finally {
      await first.smtp.close();
    }
  });
});
