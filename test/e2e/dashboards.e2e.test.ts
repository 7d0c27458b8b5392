import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SERVICES, startStack, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';
import { loadDashboards, queryDashboard, structureProblems } from '../support/dashboards';
import type { TargetResult } from '../support/dashboards';
import { startPrometheus } from '../support/prometheus';
import type { PrometheusProcess } from '../support/prometheus';

/**
 * The Grafana dashboards against the real Prometheus (Debian's package) scraping a whole stack:
 * traffic on every channel and priority, suppressions, permanent and transient provider failures,
 * circuits that open and close, throttling, scheduled sends through the delay tiers, parking, a
 * replay and a discard. Then every target of every panel, for every value of the dashboards'
 * variables, is queried as Grafana would, and must return data.
 * `HERALD_RENDER_DASHBOARDS=<dir>` also draws each dashboard into <dir>/<name>.html
 * (scripts/render-dashboards.mjs) from the same Prometheus before it stops.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SCRAPE_SECONDS = 1;
/** What Grafana's `$__rate_interval` is at a 1 s scrape interval and a few minutes' range, rounded up. */
const RATE_INTERVAL = '10s';
const STEP_SECONDS = 2;
const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
const ALL_CHANNELS = ['email', 'sms', 'push'];
const PROVIDERS = ['sendgrid', 'twilio', 'fcm'] as const;
const DISPATCHERS = ['dispatcher-email', 'dispatcher-sms', 'dispatcher-push'] as const;
/** SMS a user may get an hour: more than the burst gives anyone, so only the capped user is capped. */
const SMS_CAP = 6;

/**
 * Panels whose healthy value is 0, and which this run keeps healthy: they must return data (0s),
 * not move. Every other panel must show something above 0 during the run.
 */
const ZERO_WHEN_HEALTHY = [
  // Never expected: the delay engine never releases before the due time.
  'Released early',
  // A tier that keeps up is never overdue.
  'Overdue tiers',
  // The latest lag, read at the end of the run when every consumer has caught up.
  'Current lag by topic',
  // No API request fails in this run: every 5xx would be a defect (the share is 0 of real traffic).
  'API server error ratio',
];

let stack: Stack;
let prom: PrometheusProcess;
let startedAt: number;
let endedAt: number;
const dashboards = loadDashboards();

beforeAll(async () => {
  stack = await startStack('dashboards', undefined, {
    env: {
      CIRCUIT_FAILURE_THRESHOLD: '3',
      CIRCUIT_COOLDOWN_MS: '4000',
      CIRCUIT_HALF_OPEN_TRIALS: '1',
      CIRCUIT_SUCCESS_THRESHOLD: '1',
      DISPATCH_DEFER_SPREAD_MS: '500',
      RETRY_BASE_MS: '500',
      RETRY_CAP_MS: '2000',
      PROVIDER_RATE_LIMIT: '10',
      FREQUENCY_CAPS: `SMS:${SMS_CAP}/1h`,
    },
  });
  prom = await startPrometheus(
    SERVICES.map((s) => ({ job: s, targets: [new URL(stack.url(s, '/')).host] })),
    { scrapeIntervalSeconds: SCRAPE_SECONDS },
  );
  await prom.waitForTargetsUp();
  startedAt = Math.floor(Date.now() / 1000);
  // Two scrapes before any traffic: the range's first samples are the counters' zeros, so
  // increase() over the whole run counts the first burst too.
  await prom.waitForScrapes(2);
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await stack?.stop();
});

async function newUser(opts: { phone?: boolean; token?: string; email?: string } = {}): Promise<string> {
  const id = `dash-${randomUUID().slice(0, 8)}`;
  const phone = `+1415${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
  const body = {
    email: opts.email ?? `${id}@example.com`,
    ...(opts.phone === false ? {} : { phone }),
    timezone: 'UTC',
  };
  expect((await stack.api('PUT', `/v1/users/${id}`, body)).status).toBe(201);
  const token = opts.token ?? `tok-${id}`;
  expect((await stack.api('POST', `/v1/users/${id}/devices`, { token, platform: 'android' })).status).toBe(
    201,
  );
  return id;
}

function notification(userId: string, extra: Record<string, unknown> = {}) {
  return {
    userId,
    channels: ALL_CHANNELS,
    priority: 'normal',
    data: { title: 'Dashboards', body: randomUUID() },
    ...extra,
  };
}

async function send(userId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await stack.api('POST', '/v1/notifications', notification(userId, extra));
  expect(res.status).toBe(202);
  return res.body.id as string;
}

interface View {
  channels: Record<string, { status: string }>;
}
function channelStatus(id: string, channel: string, ...statuses: string[]): Promise<View> {
  return waitFor(
    `${channel} of ${id} ${statuses.join('/')}`,
    async () => {
      const res = await stack.api('GET', `/v1/notifications/${id}`);
      const view = res.body as unknown as View;
      return res.status === 200 && statuses.includes(view.channels[channel]?.status ?? '') ? view : undefined;
    },
    90_000,
    250,
  );
}

async function metricValue(url: string, line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(url)).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(' ').at(-1));
}

function dlqAdmin(p: string, body?: unknown) {
  return fetch(stack.url('dlq', p), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('the dashboards', () => {
  it.each(dashboards.map((d) => [d.name, d] as const))('%s is well-formed', (_name, d) => {
    expect(structureProblems(d.dashboard)).toEqual([]);
  });

  it('have unique uids', () => {
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(dashboards.map((d) => d.name)).toEqual(['channel', 'dlq', 'kafka', 'overview']);
  });
});

describe('a run that gives every panel something to show', () => {
  it('sends on every channel and priority, suppresses, fails, opens circuits, throttles, schedules, parks, replays and discards', async () => {
    const delivered = (provider: (typeof PROVIDERS)[number]) =>
      stack.sandbox.store.list({ provider }).filter((m) => m.accepted).length;

    // Scheduled sends first: the longest waits (the 30 s tier) run while the rest goes on.
    const now = Date.now();
    const scheduledUser = await newUser();
    const scheduled = await Promise.all(
      [6_000, 12_000, 40_000].map((ms) =>
        send(scheduledUser, { channels: ['email'], sendAt: new Date(now + ms).toISOString() }),
      ),
    );

    // Every channel and priority, over the single and the batch endpoint, past the rate limit.
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser()));
    const before = Object.fromEntries(PROVIDERS.map((p) => [p, delivered(p)]));
    // Each user gets one of each priority, and one more in the batch for some.
    const single = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        send(users[i % 8] ?? '', { priority: PRIORITIES[Math.floor(i / 8)] }),
      ),
    );
    const batch = await stack.api('POST', '/v1/notifications/batch', {
      notifications: PRIORITIES.map((priority, i) => notification(users[i] ?? '', { priority })),
    });
    expect(batch.status).toBe(202);
    await Promise.all(single.slice(0, 4).map((id) => channelStatus(id, 'email', 'sent')));

    // Suppressions: opted out, no address, a duplicate.
    const optedOut = await newUser();
    const prefs = { categories: { marketing: { email: false } }, unsubscribed: false };
    expect((await stack.api('PUT', `/v1/users/${optedOut}/preferences`, prefs)).status).toBe(200);
    const promo = await send(optedOut, { category: 'marketing', channels: ['email'] });
    const noPhone = await newUser({ phone: false });
    const unreachable = await send(noPhone, { channels: ['sms'] });
    const dedup = { channels: ['push'], dedupKey: `dash-${randomUUID()}` };
    await send(users[0] ?? '', dedup);
    const duplicate = await send(users[0] ?? '', dedup);
    const capped = await newUser();
    for (let i = 0; i <= SMS_CAP; i++) await send(capped, { channels: ['sms'] });
    await channelStatus(promo, 'email', 'suppressed');
    await channelStatus(unreachable, 'sms', 'suppressed');

    // Permanent refusals on each provider: parked at once, the address suppressed; the next
    // notification to it is suppressed by the router.
    const badEmail = await newUser({ email: `gone-${randomUUID().slice(0, 8)}@invalid.test` });
    const stopped = await newUser();
    const stoppedPhone = (await stack.api('GET', `/v1/users/${stopped}`)).body.phone as string;
    const deadToken = await newUser({ token: `unregistered-${randomUUID()}` });
    stack.sandbox.faults.set({
      provider: 'twilio',
      code: '21610',
      errorRate: 1,
      to: [stoppedPhone],
      latencyMs: 0,
      outage: false,
    });
    const refused = await Promise.all([
      send(badEmail, { channels: ['email'] }),
      send(stopped, { channels: ['sms'] }),
      send(deadToken, { channels: ['push'] }),
    ]);
    await Promise.all(refused.map((id, i) => channelStatus(id, ALL_CHANNELS[i] ?? '', 'parked')));
    stack.sandbox.faults.clear();
    const again = await send(badEmail, { channels: ['email'] });
    await channelStatus(again, 'email', 'suppressed');

    // The burst is through (throttled to 10 a second per provider) before the outage.
    await waitFor(
      'the burst delivered on every channel',
      () => PROVIDERS.every((p) => delivered(p) - (before[p] ?? 0) >= 36),
      90_000,
      250,
    );

    // An outage of every provider: transient errors, retries through the delay tiers, circuits
    // that open (what comes next is deferred), then close again once the providers are back.
    const outageUsers = await Promise.all(Array.from({ length: 9 }, () => newUser()));
    for (const provider of PROVIDERS) {
      stack.sandbox.faults.set({ provider, outage: true, status: 503, errorRate: 0, latencyMs: 0 });
    }
    let duringOutage: string[];
    try {
      duringOutage = await Promise.all(outageUsers.slice(0, 6).map((u) => send(u)));
      for (const [i, dispatcher] of DISPATCHERS.entries()) {
        await waitFor(`the ${PROVIDERS[i]} circuit open`, async () =>
          (await metricValue(
            stack.url(dispatcher, '/metrics'),
            new RegExp(`^herald_circuit_state\\{.*provider="${PROVIDERS[i]}"`),
          )) === 2
            ? true
            : undefined,
        );
      }
      // Sent while open: deferred, unsent.
      duringOutage.push(...(await Promise.all(outageUsers.slice(6).map((u) => send(u)))));
      await Promise.all(duringOutage.slice(-3).map((id) => channelStatus(id, 'email', 'deferred')));
    } finally {
      stack.sandbox.faults.clear();
    }
    for (const id of duringOutage) {
      for (const channel of ALL_CHANNELS) await channelStatus(id, channel, 'sent', 'suppressed');
    }

    // The dead letters: one replayed (it is refused again and parked anew), one discarded.
    const parked = await waitFor('three dead letters', async () => {
      const res = await dlqAdmin('/v1/dead-letters?status=parked');
      const list = ((await res.json()) as { deadLetters: { id: string; notificationId: string }[] })
        .deadLetters;
      const mine = list.filter((l) => refused.includes(l.notificationId));
      return mine.length >= 3 ? mine : undefined;
    });
    const [replayed, discarded] = parked;
    expect((await dlqAdmin(`/v1/dead-letters/${replayed?.id}/replay`, {})).status).toBe(200);
    expect(
      (await dlqAdmin(`/v1/dead-letters/${discarded?.id}/discard`, { reason: 'dashboards e2e' })).status,
    ).toBe(200);

    // The scheduled sends, released on time from the tiers.
    await Promise.all(scheduled.map((id) => channelStatus(id, 'email', 'sent')));
    expect(duplicate).toBeTruthy();
    // Every series scraped at least twice since the last change, so rates see it.
    await prom.waitForScrapes(2);
    endedAt = Math.ceil(Date.now() / 1000);
  }, 180_000);

  it.each(dashboards.map((d) => [d.name, d] as const))(
    'every query of the %s dashboard returns data from the run',
    async (_name, d) => {
      expect(endedAt).toBeDefined();
      const results = await queryDashboard(d, prom, {
        start: startedAt,
        end: endedAt,
        stepSeconds: STEP_SECONDS,
        rateInterval: RATE_INTERVAL,
      });
      const line = (r: TargetResult) =>
        `${r.dashboard} / panel ${r.panel} / ${r.refId} [${r.variables}]: ${r.expr}`;
      console.log(
        `${d.name}: ${results.length} queries\n` +
          results.map((r) => `  ${line(r)} → ${r.series} series, max ${r.max}`).join('\n'),
      );
      const empty = results.filter((r) => r.series === 0 || r.finite === 0).map(line);
      expect(empty).toEqual([]);
      // And the run moved it: some target of every panel went above 0, but where 0 is the healthy value.
      const panels = new Map<string, TargetResult[]>();
      for (const r of results) {
        const key = `${r.dashboard} / panel ${r.panel} [${r.variables}]`;
        panels.set(key, [...(panels.get(key) ?? []), r]);
      }
      const flat = [...panels]
        .filter(([, rs]) => rs.every((r) => r.max <= 0))
        .filter(([, rs]) => !ZERO_WHEN_HEALTHY.some((title) => rs[0]?.panel.endsWith(`"${title}"`)))
        .map(([key]) => key);
      expect(flat).toEqual([]);
    },
  );

  afterAll(() => {
    const out = process.env.HERALD_RENDER_DASHBOARDS;
    if (!out || !prom || !endedAt) return;
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'scripts', 'render-dashboards.mjs'),
        `--prometheus=${prom.url}`,
        `--start=${startedAt}`,
        `--end=${endedAt}`,
        `--step=${STEP_SECONDS}`,
        `--rate-interval=${RATE_INTERVAL}`,
        `--out=${out}`,
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
  });
});
