import { randomUUID } from 'node:crypto';
import { addressHash } from '@herald/shared';
import { startStack, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';

/**
 * The dispatchers against the provider sandbox with faults injected (issue 10): a circuit that
 * opens on an outage and defers instead of failing, permanent refusals that suppress the address,
 * a dead push token never used again, and a provider rate limit two SMS replicas share.
 */
const RATE = 20;
let stack: Stack;
let secondSms: Awaited<ReturnType<Stack['addReplica']>>;

beforeAll(async () => {
  stack = await startStack('dispatchers', undefined, {
    env: {
      CIRCUIT_FAILURE_THRESHOLD: '3',
      CIRCUIT_COOLDOWN_MS: '6000',
      CIRCUIT_HALF_OPEN_TRIALS: '1',
      CIRCUIT_SUCCESS_THRESHOLD: '1',
      DISPATCH_DEFER_SPREAD_MS: '500',
      RETRY_BASE_MS: '300',
      RETRY_CAP_MS: '1000',
      PROVIDER_RATE_LIMIT: String(RATE),
    },
  });
  secondSms = await stack.addReplica('dispatcher-sms');
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

interface Step {
  status: string;
  reason?: string;
}
interface View {
  status: string;
  channels: Record<string, { status: string; timeline: Step[] }>;
}

async function newUser(opts: { email?: string; phone?: string; token?: string } = {}): Promise<string> {
  const id = `d-${randomUUID().slice(0, 8)}`;
  const body = {
    email: opts.email ?? `${id}@example.com`,
    ...(opts.phone ? { phone: opts.phone } : {}),
    timezone: 'UTC',
  };
  expect((await stack.api('PUT', `/v1/users/${id}`, body)).status).toBe(201);
  if (opts.token) {
    const res = await stack.api('POST', `/v1/users/${id}/devices`, {
      token: opts.token,
      platform: 'android',
    });
    expect(res.status).toBe(201);
  }
  return id;
}

async function send(
  userId: string,
  channels: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await stack.api('POST', '/v1/notifications', {
    userId,
    channels,
    priority: 'high',
    data: { title: 'T', body: `b-${randomUUID()}` },
    ...extra,
  });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

function viewWhen(id: string, done: (v: View) => boolean, timeoutMs = 60_000): Promise<View> {
  return waitFor(
    `the view of ${id}`,
    async () => {
      const res = await stack.api('GET', `/v1/notifications/${id}`);
      const view = res.body as unknown as View;
      return res.status === 200 && done(view) ? view : undefined;
    },
    timeoutMs,
  );
}

const channelIs =
  (channel: string, ...statuses: string[]) =>
  (v: View) =>
    statuses.includes(v.channels[channel]?.status ?? '');
const requestsTo = (to: string) => stack.sandbox.store.list({ to });

async function metric(url: string, line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(url)).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(' ').at(-1));
}

describe('a provider outage', () => {
  it('opens the circuit within the configured failures, defers what comes next unsent, and delivers all once the provider is back', async () => {
    const sendgrid = () => stack.sandbox.store.list({ provider: 'sendgrid' });
    const before = sendgrid().length;
    stack.sandbox.faults.set({ provider: 'sendgrid', outage: true, status: 503, errorRate: 0, latencyMs: 0 });
    let ids: string[];
    try {
      const first = await Promise.all([1, 2, 3].map(async () => send(await newUser(), ['email'])));
      await waitFor('the email circuit open', async () =>
        (await metric(
          stack.url('dispatcher-email', '/metrics'),
          /^herald_circuit_state\{.*provider="sendgrid"/,
        )) === 2
          ? true
          : undefined,
      );
      expect(sendgrid().slice(before)).toHaveLength(3);

      // While open: deferred, never sent, never counted as an attempt.
      const laterUsers = await Promise.all(Array.from({ length: 10 }, () => newUser()));
      const later = await Promise.all(laterUsers.map((u) => send(u, ['email'])));
      const views = await Promise.all(later.map((id) => viewWhen(id, channelIs('email', 'deferred'))));
      for (const v of views) {
        expect(v.channels.email?.timeline.at(-1)).toEqual(
          expect.objectContaining({ status: 'deferred', reason: 'circuit_open' }),
        );
      }
      expect(sendgrid().slice(before)).toHaveLength(3);
      ids = [...first, ...later];
    } finally {
      stack.sandbox.faults.clear();
    }

    // Back: every one of them is sent, exactly once.
    const done = await Promise.all(ids.map((id) => viewWhen(id, channelIs('email', 'sent'), 90_000)));
    for (const v of done.slice(3)) {
      const steps = v.channels.email?.timeline.map((s) => s.status) ?? [];
      expect(steps.filter((s) => s === 'failed')).toEqual([]);
    }
    const accepted = sendgrid()
      .slice(before)
      .filter((m) => m.accepted);
    expect(accepted).toHaveLength(13);
    expect(new Set(accepted.map((m) => m.to)).size).toBe(13);
  });
});

describe('permanent refusals', () => {
  it('fails an invalid email address once, without retrying, and suppresses it for the next notification', async () => {
    const user = await newUser({ email: `gone-${randomUUID().slice(0, 8)}@invalid.test` });
    const email = (await stack.api('GET', `/v1/users/${user}`)).body.email as string;
    const first = await send(user, ['email']);
    const view = await viewWhen(first, channelIs('email', 'parked'));
    expect(view.channels.email?.timeline.map((s) => s.status)).toEqual([
      'accepted',
      'routed',
      'failed',
      'parked',
    ]);
    expect(view.channels.email?.timeline[2]?.reason).toBe('invalid_address');
    expect(requestsTo(email)).toHaveLength(1);
    const { rows } = await stack.pool.query<{ reason: string; source: string }>(
      `SELECT reason, source FROM suppressed_addresses WHERE channel = 'EMAIL' AND address_hash = $1`,
      [addressHash('EMAIL', email)],
    );
    expect(rows).toEqual([{ reason: 'sendgrid:http_400', source: 'dispatcher-email' }]);

    const next = await send(user, ['email']);
    const after = await viewWhen(next, channelIs('email', 'suppressed'));
    expect(after.channels.email?.timeline.at(-1)?.reason).toBe('address_suppressed');
    expect(requestsTo(email)).toHaveLength(1);
  });

  it('suppresses a number whose owner replied STOP (Twilio 21610)', async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    const user = await newUser({ phone });
    stack.sandbox.faults.set({
      provider: 'twilio',
      code: '21610',
      errorRate: 1,
      to: [phone],
      latencyMs: 0,
      outage: false,
    });
    try {
      const first = await send(user, ['sms']);
      const view = await viewWhen(first, channelIs('sms', 'parked'));
      expect(view.channels.sms?.timeline[2]).toEqual(
        expect.objectContaining({ status: 'failed', reason: 'invalid_address' }),
      );
      const next = await send(user, ['sms']);
      expect(
        (await viewWhen(next, channelIs('sms', 'suppressed'))).channels.sms?.timeline.at(-1)?.reason,
      ).toBe('address_suppressed');
      expect(requestsTo(phone)).toHaveLength(1);
    } finally {
      stack.sandbox.faults.clear();
    }
  });

  it('invalidates an unregistered push token: it is never used again', async () => {
    const token = `unregistered-${randomUUID()}`;
    const user = await newUser({ token });
    const first = await send(user, ['push']);
    await viewWhen(first, channelIs('push', 'parked'));
    const { rows } = await stack.pool.query<{ invalidated: boolean }>(
      'SELECT invalidated_at IS NOT NULL AS invalidated FROM devices WHERE token = $1',
      [token],
    );
    expect(rows).toEqual([{ invalidated: true }]);
    // The device is gone from the user's profile: the router has no push address for them.
    const next = await send(user, ['push']);
    expect(
      (await viewWhen(next, channelIs('push', 'suppressed'))).channels.push?.timeline.at(-1)?.reason,
    ).toBe('no_address');
    expect(requestsTo(token)).toHaveLength(1);
  });
});

describe('the provider rate limit', () => {
  it(`keeps two SMS replicas together under ${RATE} sends a second, as the sandbox measures`, async () => {
    // Users of their own, so their texts spread over the partitions and both replicas send.
    const users = await Promise.all(
      Array.from({ length: 40 }, (_, i) => newUser({ phone: `+1415666${String(i).padStart(4, '0')}` })),
    );
    const before = stack.sandbox.store.list({ provider: 'twilio' }).length;
    await Promise.all(users.flatMap((u) => [send(u, ['sms']), send(u, ['sms'])]));
    // Watched in the sandbox itself, not through the API: polling 80 timelines would load this
    // process, which is also the sandbox taking the requests' arrival times.
    const texts = await waitFor(
      'the 80 texts',
      () => {
        const mine = stack.sandbox.store.list({ provider: 'twilio' }).slice(before);
        return mine.filter((m) => m.accepted).length >= 80 ? mine : undefined;
      },
      90_000,
    );
    expect(texts.filter((m) => m.accepted)).toHaveLength(80);
    const busiest = stack.sandbox.store.maxPerSecond({ provider: 'twilio' });
    expect(busiest).toBeLessThanOrEqual(RATE);
    // Both replicas sent, and waited for tokens.
    const sent = await Promise.all(
      [stack.url('dispatcher-sms', '/metrics'), secondSms.url('/metrics')].map((u) =>
        metric(u, /^herald_dispatch_attempts_total\{.*outcome="sent"/),
      ),
    );
    expect(sent.every((n) => (n ?? 0) > 0)).toBe(true);
    const throttled = await Promise.all(
      [stack.url('dispatcher-sms', '/metrics'), secondSms.url('/metrics')].map((u) =>
        metric(u, /^herald_dispatch_throttled_seconds_total\{provider="twilio"/),
      ),
    );
    expect(throttled.some((s) => (s ?? 0) > 0)).toBe(true);
    const first = Date.parse(texts[0]?.receivedAt ?? '');
    const last = Date.parse(texts.at(-1)?.receivedAt ?? '');
    console.log(
      `80 texts through 2 SMS replicas at a limit of ${RATE}/s: busiest second ${busiest}, ` +
        `${((80 * 1000) / Math.max(1, last - first)).toFixed(1)}/s overall, sent per replica ${sent.join(' / ')}, ` +
        `throttled ${throttled.map((t) => (t ?? 0).toFixed(1)).join(' / ')} s`,
    );
  });
});

describe("the providers' callbacks, signed by the sandbox as the providers sign them", () => {
  it('a SendGrid hard bounce shows on the timeline and suppresses the address for the next notification', async () => {
    const user = await newUser();
    const email = `${user}@example.com`;
    const id = await send(user, ['email']);
    await viewWhen(id, channelIs('email', 'sent'));
    const sent = requestsTo(email).find((m) => m.accepted);
    const outcome = await stack.sandbox.webhooks.sendgrid({
      providerMessageId: sent?.providerMessageId ?? '',
      event: 'bounce',
      type: 'bounce',
      reason: '550 5.1.1 The email account does not exist',
    });
    expect(outcome).toEqual(expect.objectContaining({ kind: 'sent', status: 200 }));
    const view = await viewWhen(id, channelIs('email', 'bounced'));
    expect(view.status).toBe('undelivered');
    expect(view.channels.email?.timeline.at(-1)).toEqual(
      expect.objectContaining({ status: 'bounced', reason: 'hard_bounce' }),
    );
    const next = await send(user, ['email']);
    expect(
      (await viewWhen(next, channelIs('email', 'suppressed'))).channels.email?.timeline.at(-1)?.reason,
    ).toBe('address_suppressed');
    expect(requestsTo(email)).toHaveLength(1);
  });

  it('a Twilio status callback, to the URL the dispatcher asked for, marks the text delivered', async () => {
    const phone = `+1415888${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    const user = await newUser({ phone });
    const id = await send(user, ['sms']);
    await viewWhen(id, channelIs('sms', 'sent'));
    const text = requestsTo(phone).find((m) => m.accepted);
    expect(text?.statusCallback).toBe(`${stack.env.PUBLIC_BASE_URL}/v1/webhooks/twilio?notificationId=${id}`);
    const outcome = await stack.sandbox.webhooks.twilio({
      providerMessageId: text?.providerMessageId ?? '',
      status: 'delivered',
    });
    expect(outcome).toEqual(expect.objectContaining({ kind: 'sent', status: 200 }));
    const view = await viewWhen(id, channelIs('sms', 'delivered'));
    expect(view.status).toBe('sent');
  });
});

describe('what each provider is sent', () => {
  it('email: categories, custom args and a one-click unsubscribe that works, for a category that is not required', async () => {
    const user = await newUser();
    const email = `${user}@example.com`;
    const id = await send(user, ['email'], { category: 'newsletter' });
    await viewWhen(id, channelIs('email', 'sent'));
    const mail = requestsTo(email).find((m) => m.accepted);
    expect(mail?.categories).toEqual(['newsletter']);
    expect(mail?.data).toEqual(expect.objectContaining({ notificationId: id }));
    expect(mail?.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const link = /^<(.+)>$/.exec(mail?.headers?.['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(link.startsWith(`${stack.env.PUBLIC_BASE_URL}/v1/unsubscribe/`)).toBe(true);
    // The mail client's one-click POST (RFC 8058).
    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const next = await send(user, ['email'], { category: 'newsletter' });
    expect(
      (await viewWhen(next, channelIs('email', 'suppressed'))).channels.email?.timeline.at(-1)?.reason,
    ).toBe('opted_out');
    // A required category carries no unsubscribe link, and still reaches the user.
    const security = await send(user, ['email'], { category: 'security' });
    await viewWhen(security, channelIs('email', 'sent'));
    const secure = requestsTo(email)
      .filter((m) => m.accepted)
      .at(-1);
    expect(secure?.headers?.['List-Unsubscribe']).toBeUndefined();
  });

  it('push: priority, TTL and collapse key on Android and APNs', async () => {
    const token = `tok-${randomUUID()}`;
    const user = await newUser({ token });
    const id = await send(user, ['push'], {
      priority: 'critical',
      push: { ttlSeconds: 600, collapseKey: 'score' },
    });
    await viewWhen(id, channelIs('push', 'sent'));
    const push = requestsTo(token).find((m) => m.accepted);
    expect(push?.android).toEqual(
      expect.objectContaining({ priority: 'high', ttl: '600s', collapse_key: 'score' }),
    );
    expect(push?.apns?.headers).toEqual(
      expect.objectContaining({ 'apns-priority': '10', 'apns-collapse-id': 'score' }),
    );
    const low = await send(user, ['push'], { priority: 'low' });
    await viewWhen(low, channelIs('push', 'sent'));
    const lowPush = requestsTo(token)
      .filter((m) => m.accepted)
      .at(-1);
    expect(lowPush?.android?.priority).toBe('normal');
    expect(lowPush?.apns?.headers?.['apns-priority']).toBe('5');
  });
});
