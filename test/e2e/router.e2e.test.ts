import { randomUUID } from 'node:crypto';
import { startStack, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';

/**
 * The router's decisions end to end (issue 9): preferences, quiet hours, routing rules and caps set
 * through the API change what the sandbox receives, and every suppression and deferral shows in
 * GET /v1/notifications/:id with its reason. SMS is capped at 2 an hour per user.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack('router', undefined, { env: { FREQUENCY_CAPS: 'SMS:2/1h' } });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

interface Step {
  status: string;
  reason?: string;
  until?: string;
}
interface View {
  status: string;
  timeline: Step[];
  channels: Record<string, { status: string; timeline: Step[] }>;
}

/** A user with an email, a phone and a device, all of its own. */
async function newUser(): Promise<{ id: string; email: string; phone: string; token: string }> {
  const id = `r-${randomUUID().slice(0, 8)}`;
  const phone = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
  const email = `${id}@example.com`;
  expect((await stack.api('PUT', `/v1/users/${id}`, { email, phone, timezone: 'Europe/Paris' })).status).toBe(
    201,
  );
  expect(
    (await stack.api('POST', `/v1/users/${id}/devices`, { token: `tok-${id}`, platform: 'ios' })).status,
  ).toBe(201);
  return { id, email, phone, token: `tok-${id}` };
}

async function send(body: Record<string, unknown>): Promise<string> {
  const res = await stack.api('POST', '/v1/notifications', {
    data: { title: 'T', body: randomUUID() },
    ...body,
  });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

/** The notification's view once `done` holds for it. */
function viewWhen(id: string, done: (v: View) => boolean): Promise<View> {
  return waitFor(`the view of ${id}`, async () => {
    const res = await stack.api('GET', `/v1/notifications/${id}`);
    const view = res.body as unknown as View;
    return res.status === 200 && done(view) ? view : undefined;
  });
}

const ended = (v: View) =>
  Object.values(v.channels).length > 0 &&
  Object.values(v.channels).every((c) => ['sent', 'suppressed', 'deferred'].includes(c.status));
const lastOf = (v: View, channel: string) => v.channels[channel]?.timeline.at(-1);
const delivered = (to: string) => stack.sandbox.store.list({ to }).filter((m) => m.accepted);

describe('the router, set up through the API', () => {
  it('honours preferences, the unsubscribe and required categories, and shows why', async () => {
    const u = await newUser();
    const prefs = { categories: { marketing: { email: false } }, unsubscribed: false };
    expect((await stack.api('PUT', `/v1/users/${u.id}/preferences`, prefs)).status).toBe(200);
    const promo = await send({ userId: u.id, category: 'marketing' });
    const view = await viewWhen(promo, ended);
    expect(lastOf(view, 'email')).toEqual(
      expect.objectContaining({ status: 'suppressed', reason: 'opted_out' }),
    );
    expect(view.channels.sms?.status).toBe('sent');
    expect(view.channels.push?.status).toBe('sent');
    expect(delivered(u.email)).toHaveLength(0);

    await stack.api('PUT', `/v1/users/${u.id}/preferences`, { unsubscribed: true });
    const news = await send({ userId: u.id, category: 'news', channels: ['push'] });
    const alert = await send({ userId: u.id, category: 'security', channels: ['email'] });
    expect(lastOf(await viewWhen(news, ended), 'push')).toEqual(
      expect.objectContaining({ status: 'suppressed', reason: 'unsubscribed' }),
    );
    expect((await viewWhen(alert, ended)).status).toBe('sent');
    await waitFor('the security email', () => (delivered(u.email).length === 1 ? true : undefined));
  });

  it('follows a routing rule set through the API, and suppresses a duplicate', async () => {
    const u = await newUser();
    const rule = {
      id: `digest-${randomUUID().slice(0, 8)}`,
      position: 1,
      match: { categories: [`digest-${u.id}`] },
      channels: ['EMAIL'],
      stopProcessing: true,
    };
    expect((await stack.api('POST', '/v1/routing-rules', rule)).status).toBe(201);
    const digest = await send({ userId: u.id, category: `digest-${u.id}`, dedupKey: 'weekly-48' });
    const twin = await send({ userId: u.id, category: `digest-${u.id}`, dedupKey: 'weekly-48' });
    const view = await viewWhen(digest, ended);
    expect(Object.keys(view.channels)).toEqual(['email']);
    expect(view.status).toBe('sent');
    expect(lastOf(await viewWhen(twin, ended), 'email')).toEqual(
      expect.objectContaining({ status: 'suppressed', reason: 'duplicate' }),
    );
    await waitFor('the digest', () => (delivered(u.email).length === 1 ? true : undefined));
    expect(delivered(u.phone)).toHaveLength(0);
    expect(delivered(u.token)).toHaveLength(0);
    await stack.api('DELETE', `/v1/routing-rules/${rule.id}`);
  });

  it('defers a normal notification in quiet hours and lets a critical one through', async () => {
    const u = await newUser();
    const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const quiet = { timezone: 'UTC', rules: [{ days: everyDay, start: '00:00', end: '00:00' }] };
    expect((await stack.api('PUT', `/v1/users/${u.id}/quiet-hours`, quiet)).status).toBe(200);
    const normal = await send({ userId: u.id, channels: ['sms'] });
    const critical = await send({ userId: u.id, channels: ['push'], priority: 'critical' });
    const held = await viewWhen(normal, (v) => v.status === 'scheduled');
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    // Quiet every day: the windows join up for the week the router looks ahead.
    expect(held.timeline.at(-1)).toEqual(
      expect.objectContaining({
        status: 'deferred',
        reason: 'quiet_hours',
        until: expect.any(String) as string,
      }),
    );
    expect(Date.parse(held.timeline.at(-1)?.until ?? '')).toBeGreaterThanOrEqual(midnight.getTime());
    expect((await viewWhen(critical, ended)).status).toBe('sent');
    expect(delivered(u.phone)).toHaveLength(0);
  });

  it('sends what a template published through the API renders, in the newest version', async () => {
    const u = await newUser();
    // Critical: past the SMS cap of this stack, which is not what this test is about.
    const sms = { userId: u.id, channels: ['sms'], priority: 'critical' };
    const id = `receipt-${randomUUID().slice(0, 8)}`;
    const publish = async (body: string) =>
      expect((await stack.api('POST', `/v1/templates/${id}/versions`, { channel: 'sms', body })).status).toBe(
        201,
      );
    await publish('Receipt {{ref}}: {{amount}} EUR');
    const first = await send({
      userId: u.id,
      templateId: id,
      channels: ['sms'],
      data: { ref: 'A1', amount: '12' },
    });
    expect((await viewWhen(first, ended)).status).toBe('sent');
    await publish('Your receipt {{ref}} ({{amount}} EUR)');
    const second = await send({
      userId: u.id,
      templateId: id,
      channels: ['sms'],
      data: { ref: 'B2', amount: '7' },
    });
    expect((await viewWhen(second, ended)).status).toBe('sent');
    const texts = await waitFor('both texts', () => {
      const got = delivered(u.phone).map((m) => m.body);
      return got.length === 2 ? got.sort() : undefined;
    });
    expect(texts).toEqual(['Receipt A1: 12 EUR', 'Your receipt B2 (7 EUR)']);
    // A variable missing under the strict default parks the notification with the reason.
    const lacking = await send({ ...sms, templateId: id, data: { ref: 'C3' } });
    const parked = await viewWhen(lacking, (v) => v.status === 'parked');
    expect(parked.timeline.at(-1)).toEqual(
      expect.objectContaining({ status: 'parked', reason: 'invalid_template' }),
    );
  });

  it('caps SMS per user: a high one over the cap is deferred, a low one suppressed', async () => {
    const u = await newUser();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await send({ userId: u.id, channels: ['sms'], priority: 'high' }));
    const views = await Promise.all(ids.map((id) => viewWhen(id, ended)));
    // Lanes are decided apart, so the low one is sent once the high ones are decided.
    const low = await send({ userId: u.id, channels: ['sms'], priority: 'low' });
    expect(views.map((v) => v.channels.sms?.status)).toEqual(['sent', 'sent', 'deferred']);
    expect(lastOf(views[2] as View, 'sms')).toEqual(
      expect.objectContaining({
        status: 'deferred',
        reason: 'rate_limited',
        until: expect.any(String) as string,
      }),
    );
    expect((views[2] as View).status).toBe('in_progress');
    expect(lastOf(await viewWhen(low, ended), 'sms')).toEqual(
      expect.objectContaining({ status: 'suppressed', reason: 'rate_limited' }),
    );
    await waitFor('two texts', () => (delivered(u.phone).length === 2 ? true : undefined));
  });
});
