import { randomUUID } from 'node:crypto';
import type { SandboxMessage } from '@herald/provider-sandbox';
import { startStack, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';

/**
 * The retry and delay engine end to end: the services as processes, real providers' SDKs aimed at
 * the sandbox, faults injected there. Email retries on a fixed schedule (no jitter, base 1 s), so
 * the growth of its waits can be checked; SMS gives up after three quick attempts.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack('delay', undefined, {
    env: {
      RETRY_JITTER: 'none',
      RETRY_BASE_MS: '1000',
      RETRY_SMS_BASE_MS: '200',
      RETRY_SMS_MAX_ATTEMPTS: '3',
    },
  });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

interface Entry {
  status: string;
  at: string;
  reason?: string;
  attempt?: number;
  error?: string;
  nextAttemptAt?: string;
}

async function channelWhen(
  id: string,
  channel: string,
  done: (status: string) => boolean,
  timeoutMs = 60_000,
) {
  return waitFor(
    `${channel} of ${id}`,
    async () => {
      const res = await stack.api('GET', `/v1/notifications/${id}`);
      if (res.status !== 200) return undefined;
      const view = (res.body.channels as Record<string, { status: string; timeline: Entry[] }>)[channel];
      return view && done(view.status) ? view : undefined;
    },
    timeoutMs,
    250,
  );
}

const emailsTo = (to: string): SandboxMessage[] => stack.sandbox.store.list({ to, provider: 'sendgrid' });

describe('retries', () => {
  it('retries a transiently failing email with growing waits and delivers it once the provider recovers', async () => {
    const to = `retry-${randomUUID().slice(0, 8)}@example.com`;
    stack.sandbox.faults.set({ provider: 'sendgrid', outage: true, status: 503, errorRate: 0, latencyMs: 0 });
    const res = await stack.api('POST', '/v1/notifications', {
      userId: `retry-${randomUUID().slice(0, 8)}`,
      channels: ['email'],
      to: { email: to },
      data: { title: 'Eventually', body: 'x' },
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const firstTry = await waitFor('the first attempt', () => emailsTo(to)[0]);
    // The provider is down for 20 s from the first attempt.
    await new Promise((r) => setTimeout(r, 20_000 - (Date.now() - Date.parse(firstTry.receivedAt))));
    stack.sandbox.faults.clear();

    const delivered = await waitFor('the delivery', () => emailsTo(to).find((m) => m.accepted), 60_000);
    const attempts = emailsTo(to);
    const refused = attempts.filter((m) => !m.accepted);
    // Waits of 1, 2, 4, 8 s…: five refused attempts fit in 20 s (0, 1, 3, 7, 15 s), the sixth at 31 s.
    expect(refused.length).toBeGreaterThanOrEqual(4);
    const gaps = attempts
      .slice(1)
      .map((m, i) => Date.parse(m.receivedAt) - Date.parse(attempts[i]?.receivedAt ?? ''));
    for (const [i, gap] of gaps.entries()) {
      expect(gap).toBeGreaterThanOrEqual(1000 * 2 ** i);
      expect(gap).toBeLessThan(1000 * 2 ** i + 2000);
    }
    expect(delivered.subject).toBe('Eventually');

    const view = await channelWhen(id, 'email', (s) => s === 'sent');
    const retries = view.timeline.filter((e) => e.status === 'retrying');
    expect(retries.length).toBe(refused.length);
    expect(retries.map((e) => e.attempt)).toEqual(refused.map((_, i) => i + 1));
    for (const r of retries) {
      expect(r.error).toMatch(/^provider_unavailable: /);
      expect(Date.parse(r.nextAttemptAt ?? '')).toBeGreaterThan(Date.parse(r.at));
    }
    expect(view.timeline.filter((e) => e.status === 'failed').map((e) => e.attempt)).toEqual(
      refused.map((_, i) => i + 1),
    );
    console.log(
      `retried email: ${refused.length} refused attempts, waits ${gaps.map((g) => `${g} ms`).join(', ')}; delivered`,
    );
  }, 120_000);

  it('parks an always-failing SMS after its maximum attempts; a replay that fails again parks anew; a replay through the API delivers it once the provider is healthy', async () => {
    const phone = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    stack.sandbox.faults.set({ provider: 'twilio', outage: true, status: 503, errorRate: 0, latencyMs: 0 });
    const res = await stack.api('POST', '/v1/notifications', {
      userId: `park-${randomUUID().slice(0, 8)}`,
      channels: ['sms'],
      to: { phone },
      data: { body: 'after a replay' },
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const parked = await channelWhen(id, 'sms', (s) => s === 'parked');
    expect(parked.timeline.filter((e) => e.status === 'failed')).toHaveLength(3);
    expect(parked.timeline.filter((e) => e.status === 'retrying')).toHaveLength(2);
    expect(parked.timeline.at(-1)).toEqual(expect.objectContaining({ status: 'parked', attempt: 3 }));
    expect(stack.sandbox.store.list({ to: phone })).toHaveLength(3);

    const admin = (path: string, init: RequestInit = {}) =>
      fetch(stack.url('dlq', path), {
        ...init,
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      });
    const parkedLetters = async () =>
      (
        (await (await admin(`/v1/dead-letters?notificationId=${id}`)).json()) as {
          deadLetters: { id: string; channel: string; reason: string; attempts: number }[];
        }
      ).deadLetters;
    const [first] = await waitFor('the dead letter', async () => {
      const list = await parkedLetters();
      return list.length > 0 ? list : undefined;
    });
    expect(first).toEqual(
      expect.objectContaining({ channel: 'SMS', reason: 'provider_unavailable', attempts: 3 }),
    );

    // Replayed while the provider still fails: three new attempts (the count starts again), then
    // a new dead letter, never a silent loss.
    const replayOf = (letterId: string | undefined) =>
      admin(`/v1/dead-letters/${letterId}/replay`, { method: 'POST', body: '{}' });
    expect((await replayOf(first?.id)).status).toBe(200);
    const [again] = await waitFor('a new dead letter after the failed replay', async () => {
      const list = (await parkedLetters()).filter((l) => l.id !== first?.id);
      return list.length > 0 ? list : undefined;
    });
    expect(again).toEqual(
      expect.objectContaining({ channel: 'SMS', reason: 'provider_unavailable', attempts: 3 }),
    );
    expect(stack.sandbox.store.list({ to: phone })).toHaveLength(6);

    stack.sandbox.faults.clear();
    expect((await replayOf(again?.id)).status).toBe(200);
    const delivered = await waitFor('the replayed SMS', () =>
      stack.sandbox.store.list({ to: phone }).find((m) => m.accepted),
    );
    expect(delivered.body).toContain('after a replay');
    const view = await channelWhen(id, 'sms', (s) => s === 'sent');
    // Six failures in a row opened the SMS circuit: the replay may wait out its cool-down in the
    // delay engine (`deferred`, circuit_open), unsent and uncounted, before it is sent.
    const steps = view.timeline.map((e) => e.status);
    const last = steps.slice(steps.lastIndexOf('parked'));
    expect(last.filter((s) => s !== 'deferred')).toEqual(['parked', 'replayed', 'sent']);
    for (const e of view.timeline.filter((x) => x.status === 'deferred'))
      expect(e.reason).toBe('circuit_open');
    expect(view.timeline.filter((e) => e.status === 'replayed')).toHaveLength(2);
    // Replayed once each: a second replay is refused, and the provider got one more request, not two.
    expect((await replayOf(again?.id)).status).toBe(409);
    expect((await replayOf(first?.id)).status).toBe(409);
    expect(stack.sandbox.store.list({ to: phone })).toHaveLength(7);
  }, 90_000);
});

describe('scheduled sends', () => {
  it('holds 200 sends until their sendAt through a dlq killed with SIGKILL mid-run: none lost, none early', async () => {
    const start = Date.now();
    // Users of this run alone: what Redis keeps (dedup keys) outlives a run.
    const run = randomUUID().slice(0, 8);
    const items = Array.from({ length: 200 }, (_, i) => ({
      to: `sched-${i}-${randomUUID().slice(0, 6)}@example.com`,
      // The first exactly 10 s ahead (the issue's case), the others spread over 5–20 s.
      sendAt: start + (i === 0 ? 10_000 : 5000 + Math.floor(Math.random() * 15_000)),
    }));
    const res = await stack.api('POST', '/v1/notifications/batch', {
      notifications: items.map((item, i) => ({
        userId: `sched-${i}-${run}`,
        channels: ['email'],
        to: { email: item.to },
        sendAt: new Date(item.sendAt).toISOString(),
        data: { title: 'On time', body: 'x' },
      })),
    });
    expect(res.status).toBe(202);
    const results = res.body.results as { id: string; status: string }[];
    expect(results.every((r) => r.status === 'accepted')).toBe(true);

    const [first] = results;
    const scheduled = await waitFor('a scheduled view', async () => {
      const view = await stack.api('GET', `/v1/notifications/${first?.id}`);
      return view.status === 200 && view.body.status === 'scheduled' ? view.body : undefined;
    });
    expect((scheduled.timeline as Entry[]).map((e) => e.status)).toEqual(['accepted', 'deferred']);

    // The dlq dies while everything waits in the tiers, and comes back 2 s later.
    await new Promise((r) => setTimeout(r, Math.max(0, start + 7000 - Date.now())));
    await stack.stopService('dlq', 'SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    await stack.restartService('dlq');

    const deliveries = await waitFor(
      'every scheduled email',
      () => {
        const got = items.map((item) => emailsTo(item.to).filter((m) => m.accepted));
        return got.every((g) => g.length > 0) ? got : undefined;
      },
      90_000,
      250,
    );
    const early = items.filter((item, i) =>
      (deliveries[i] ?? []).some((m) => Date.parse(m.receivedAt) < item.sendAt),
    );
    expect(early).toEqual([]);
    const late = items
      .map((item, i) => Date.parse(deliveries[i]?.[0]?.receivedAt ?? '') - item.sendAt)
      .sort((a, b) => a - b);
    const duplicates = deliveries.reduce((n, d) => n + d.length - 1, 0);
    console.log(
      `200 scheduled sends through a dlq SIGKILL: all delivered, none early; delivered − sendAt p50 ${late[100]} ms, ` +
        `max ${late.at(-1)} ms; ${duplicates} duplicates`,
    );
  }, 150_000);
});
