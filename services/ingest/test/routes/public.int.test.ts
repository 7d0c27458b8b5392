import { randomUUID, sign } from 'node:crypto';
import twilio from 'twilio';
import { addressHash, signUnsubscribeToken } from '@herald/shared';
import type { FastifyInstance, StatusEvent } from '@herald/shared';
import { collect, integrationDeps, waitFor } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { ingestApp, webhookKeys } from '../app-fixture';

/**
 * The routes that carry their own proof (issue 10): one-click unsubscribe with a signed, expiring
 * token, and the SendGrid and Twilio delivery callbacks with the providers' signatures, on real
 * Postgres and Kafka. A forged request gets 401 (400 for a token) and changes nothing.
 */
let deps: IntegrationDeps;
let app: FastifyInstance;
let collector: Awaited<ReturnType<typeof collect>>;

beforeAll(async () => {
  deps = await integrationDeps('public-api');
  app = ingestApp(deps);
  collector = await collect(deps.kafka, [deps.topics.status]);
});
afterAll(async () => {
  await collector?.stop();
  await app?.close();
  await deps?.close();
});

async function newUser(): Promise<string> {
  const id = `pub-${randomUUID()}`;
  await deps.pool.query(`INSERT INTO users (id, email, timezone) VALUES ($1, $2, 'UTC')`, [
    id,
    `${id}@example.com`,
  ]);
  return id;
}

const tokenFor = (userId: string, category: string, expiresInS = 3600) =>
  signUnsubscribeToken(webhookKeys.unsubscribeSecret, {
    userId,
    category,
    expiresAt: Math.floor(Date.now() / 1000) + expiresInS,
  });

async function emailPreference(userId: string, category: string): Promise<boolean | undefined> {
  const { rows } = await deps.pool.query<{ enabled: boolean }>(
    `SELECT enabled FROM preferences WHERE user_id = $1 AND category = $2 AND channel = 'EMAIL'`,
    [userId, category],
  );
  return rows[0]?.enabled;
}

async function suppressed(channel: string, address: string): Promise<string | undefined> {
  const { rows } = await deps.pool.query<{ reason: string }>(
    'SELECT reason FROM suppressed_addresses WHERE channel = $1 AND address_hash = $2',
    [channel, addressHash(channel as 'EMAIL', address)],
  );
  return rows[0]?.reason;
}

function statusOf(notificationId: string, status: StatusEvent['status']): Promise<StatusEvent> {
  return waitFor(`the ${status} event of ${notificationId}`, async () =>
    (await collector.decoded<StatusEvent>(deps.codec, deps.topics.status)).find(
      (e) => e.notificationId === notificationId && e.status === status,
    ),
  );
}

describe('one-click unsubscribe', () => {
  it('asks on GET, opts out of the category by email on the one-click POST (RFC 8058)', async () => {
    const user = await newUser();
    const url = `/v1/unsubscribe/${tokenFor(user, 'newsletter')}`;
    const page = await app.inject({ method: 'GET', url });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<strong>newsletter</strong>');
    expect(page.body).toContain('<form method="post">');
    // A GET (a link scanner) changes nothing.
    expect(await emailPreference(user, 'newsletter')).toBeUndefined();

    const post = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('You are unsubscribed');
    expect(await emailPreference(user, 'newsletter')).toBe(false);
    // Twice is fine, and the multipart form RFC 8058 prefers is taken as well.
    const multipart = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    });
    expect(multipart.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url, payload: '' })).statusCode).toBe(200);
  });

  it('refuses an expired token and a forged one, changing nothing', async () => {
    const user = await newUser();
    const expired = await app.inject({
      method: 'POST',
      url: `/v1/unsubscribe/${tokenFor(user, 'news', -1)}`,
    });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('expired');
    const other = await newUser();
    const [, signature] = tokenFor(other, 'news').split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ u: user, c: 'news', e: 4_102_444_800 })).toString(
      'base64url',
    );
    const forged = await app.inject({ method: 'POST', url: `/v1/unsubscribe/${forgedPayload}.${signature}` });
    expect(forged.statusCode).toBe(400);
    expect(await emailPreference(user, 'news')).toBeUndefined();
  });
});

/** Signs as SendGrid does: ECDSA P-256 / SHA-256 over the timestamp followed by the raw body, base64 DER. */
function sendGridHeaders(body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  const signature = sign('sha256', Buffer.from(timestamp + body), {
    key: webhookKeys.sendgridPrivateKey,
    dsaEncoding: 'der',
  }).toString('base64');
  return {
    'content-type': 'application/json',
    'x-twilio-email-event-webhook-signature': signature,
    'x-twilio-email-event-webhook-timestamp': timestamp,
  };
}

describe('SendGrid event webhook', () => {
  it('turns a signed hard bounce into a bounced event and suppresses the address', async () => {
    const notificationId = randomUUID();
    const email = `bounce-${randomUUID()}@example.com`;
    const body = JSON.stringify([
      {
        email,
        event: 'bounce',
        type: 'bounce',
        timestamp: 1_796_000_000,
        sg_event_id: randomUUID(),
        sg_message_id: 'm1.x',
        notificationId,
      },
      { email, event: 'open', timestamp: 1_796_000_001, sg_event_id: randomUUID(), notificationId },
    ]);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/sendgrid',
      headers: sendGridHeaders(body),
      payload: body,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ events: 1, suppressed: 1, ignored: 1 });
    expect(await suppressed('EMAIL', email)).toBe('sendgrid:bounce');
    const event = await statusOf(notificationId, 'BOUNCED');
    expect(event).toEqual(
      expect.objectContaining({
        channel: 'EMAIL',
        reason: 'hard_bounce',
        providerMessageId: 'm1',
        service: 'webhook-sendgrid',
      }),
    );
  });

  it('refuses a forged signature, a changed body and a stale timestamp with 401, changing nothing', async () => {
    const email = `forged-${randomUUID()}@example.com`;
    const body = JSON.stringify([
      { email, event: 'bounce', type: 'bounce', sg_event_id: 'e', notificationId: randomUUID() },
    ]);
    const headers = sendGridHeaders(body);
    const changed = body.replace('bounce', 'dropped');
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    for (const [h, payload] of [
      [{ ...headers, 'x-twilio-email-event-webhook-signature': 'MEUCIQ' }, body],
      [headers, changed],
      [sendGridHeaders(body, stale), body],
      [{ 'content-type': 'application/json' }, body],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/v1/webhooks/sendgrid', headers: h, payload });
      expect(res.statusCode).toBe(401);
    }
    expect(await suppressed('EMAIL', email)).toBeUndefined();
  });
});

describe('Twilio status callback', () => {
  const path = (notificationId: string) => `/v1/webhooks/twilio?notificationId=${notificationId}`;
  const signed = (notificationId: string, params: Record<string, string>) => ({
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': twilio.getExpectedTwilioSignature(
      webhookKeys.twilioAuthToken,
      `${webhookKeys.publicBaseUrl}${path(notificationId)}`,
      params,
    ),
  });

  it('turns a signed undelivered callback into an event, suppressing a number that cannot receive', async () => {
    const notificationId = randomUUID();
    const to = `+1415${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const params = {
      MessageSid: 'SM123',
      MessageStatus: 'undelivered',
      ErrorCode: '30005',
      To: to,
      AccountSid: 'AC1',
    };
    const res = await app.inject({
      method: 'POST',
      url: path(notificationId),
      headers: signed(notificationId, params),
      payload: new URLSearchParams(params).toString(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<Response/>');
    expect(await suppressed('SMS', to)).toBe('twilio:30005');
    expect(await statusOf(notificationId, 'UNDELIVERED')).toEqual(
      expect.objectContaining({ channel: 'SMS', reason: 'twilio:30005', providerMessageId: 'SM123' }),
    );
  });

  it('refuses a forged signature with 401, changing nothing', async () => {
    const notificationId = randomUUID();
    const to = '+14155559999';
    const params = { MessageSid: 'SM9', MessageStatus: 'failed', ErrorCode: '21610', To: to };
    const headers = signed(notificationId, { ...params, To: '+14155550000' });
    const res = await app.inject({
      method: 'POST',
      url: path(notificationId),
      headers,
      payload: new URLSearchParams(params).toString(),
    });
    expect(res.statusCode).toBe(401);
    expect(await suppressed('SMS', to)).toBeUndefined();
  });
});
