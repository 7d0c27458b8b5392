import { randomUUID } from 'node:crypto';
import {
  PRIORITIES,
  createCodec,
  createProducer,
  createRedis,
  deliveryKey,
  readDeliveryValue,
} from '@herald/shared';
import type { NotificationRequest, Redis } from '@herald/shared';
import { SERVICES, startStack, testEnv, testKafka, waitFor } from '@herald/test-support';
import type { ServiceName, Stack } from '@herald/test-support';

/**
 * The failures DESIGN.md §2.1 promises to ride out, on the six services as processes: a dispatcher
 * killed with SIGKILL in the middle of many sends, and Postgres going away and coming back (through
 * a proxy: the server itself is shared and is never restarted). Assertions are on what the sandbox
 * received, on the status projection and on the processes, never on logs.
 */
let stack: Stack;
let redis: Redis;
beforeAll(async () => {
  stack = await startStack('resilience', undefined, { postgresProxy: true });
  redis = createRedis(testEnv.redisUrl);
}, 180_000);
afterAll(async () => {
  await redis?.quit();
  if (stack) await stack.stop();
});

type Lower = 'email' | 'sms' | 'push';

/** Waits until the projection has a `SENT` event for every (notification, channel) expected. */
async function allSentInProjection(expected: Map<string, Lower[]>, timeoutMs: number): Promise<void> {
  const want = [...expected.values()].reduce((n, cs) => n + cs.length, 0);
  let got = 0;
  await waitFor(
    `${want} sent (notification, channel) pairs in the projection`,
    async () => {
      const { rows } = await stack.pool.query<{ n: number }>(
        `SELECT count(DISTINCT (notification_id, channel))::int AS n FROM notification_events
          WHERE status = 'SENT' AND notification_id = ANY($1::uuid[])`,
        [[...expected.keys()]],
      );
      got = rows[0]?.n ?? 0;
      return got === want;
    },
    timeoutMs,
    500,
  ).catch((err: Error) => {
    throw new Error(`${err.message} (${got} of ${want} sent)`);
  });
}

/** GET /v1/notifications/:id for each, a few at a time: the channel statuses the API shows. */
async function channelStatuses(ids: string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(
      ids.slice(i, i + 25).map(async (id) => {
        const res = await stack.api('GET', `/v1/notifications/${id}`);
        const channels = (res.body.channels ?? {}) as Record<string, { status: string }>;
        out.set(id, Object.fromEntries(Object.entries(channels).map(([c, v]) => [c, v.status])));
      }),
    );
  }
  return out;
}

/** The delivery keys the dispatcher holds a claim on (claimed before sending, not yet recorded as sent). */
async function claimed(keys: Map<string, string>): Promise<Set<string>> {
  const ids = [...keys.keys()];
  const values = await redis.mget(...ids.map((id) => keys.get(id) ?? ''));
  return new Set(
    ids.filter((_, i) => values[i] != null && readDeliveryValue(values[i] ?? '').kind === 'held'),
  );
}

it('loses nothing when a dispatcher is killed with SIGKILL while more than 100 sends are in flight', async () => {
  const run = randomUUID().slice(0, 8);
  const users = Array.from({ length: 300 }, (_, i) => `kill-${run}-${i}`);
  await stack.pool.query(
    `INSERT INTO users (id, email) SELECT u, u || '@example.com' FROM unnest($1::text[]) AS u`,
    [users],
  );
  // SendGrid holds every request 5 s, so sends pile up in flight (the lease, 8 s, outlasts them).
  stack.sandbox.faults.set({
    provider: 'sendgrid',
    latencyMs: 5000,
    errorRate: 0,
    status: 503,
    outage: false,
  });
  const res = await stack.api('POST', '/v1/notifications/batch', {
    notifications: users.map((u) => ({
      userId: u,
      channels: ['email'],
      data: { title: 'kill -9', body: u },
    })),
  });
  expect(res.status).toBe(202);
  expect(res.body.accepted).toBe(users.length);
  const ids = (res.body.results as { id: string }[]).map((r) => r.id);
  const keys = new Map(
    ids.map((id, i) => [
      id,
      deliveryKey({ notificationId: id, channel: 'EMAIL', address: `${users[i]}@example.com` }),
    ]),
  );

  await waitFor('more than 100 sends in flight', () => stack.sandboxInFlight() > 100, 30_000, 20);
  const heldBySandbox = stack.sandboxInFlight();
  expect(await stack.stopService('dispatcher-email', 'SIGKILL')).toBeNull();
  // What the killed process had claimed and not recorded as sent: the sends in flight, by its own
  // account. The leases run for 8 s, so every one of them is still there right after the exit.
  const inFlight = await claimed(keys);
  stack.sandbox.faults.clear();
  await stack.restartService('dispatcher-email');

  await allSentInProjection(new Map(ids.map((id) => [id, ['email']])), 60_000);
  const statuses = await channelStatuses(ids);
  expect(ids.filter((id) => statuses.get(id)?.email !== 'sent')).toEqual([]);

  const ours = new Set(ids);
  const all = stack.sandbox.store
    .list({ provider: 'sendgrid', accepted: true })
    .map((m) => m.data?.notificationId)
    .filter((id): id is string => id !== undefined && ours.has(id));
  const counts = new Map<string, number>();
  for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
  const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const duplicates = all.length - counts.size;
  console.log(
    `SIGKILL with ${inFlight.size} sends in flight (${heldBySandbox} held by the provider): ` +
      `${counts.size} delivered, ${duplicates} duplicates`,
  );
  expect(ids.filter((id) => !counts.has(id))).toEqual([]);
  expect(inFlight.size).toBeGreaterThan(100);
  // At least once: only a send in flight at the kill may be repeated, and only once.
  expect(repeated.filter((id) => !inFlight.has(id))).toEqual([]);
  expect(duplicates).toBeLessThanOrEqual(inFlight.size);
  expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
}, 120_000);

/** Polls the services' /readyz until stopped; resolves with those that were not ready at some point. */
function watchReadiness(names: ServiceName[]) {
  const notReady = new Set<ServiceName>();
  let watching = true;
  const done = (async () => {
    while (watching) {
      for (const s of names) {
        const ok = await fetch(stack.url(s, '/readyz')).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!ok) notReady.add(s);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return notReady;
  })();
  return {
    stop: () => {
      watching = false;
      return done;
    },
  };
}

/**
 * The members of the groups that wait for Postgres (the router's lanes, the projection, the dlq).
 * A consumer that crashed or was dropped for a missed heartbeat rejoins as a new member, so the
 * same members before and after an outage mean no rebalance happened in between.
 */
async function postgresGroupMembers(): Promise<Record<string, string[]>> {
  const groups = [
    ...PRIORITIES.map((p) => `herald-router.${p.toLowerCase()}`),
    'herald-ingest-status',
    'herald-dlq',
  ].map((g) => `${stack.prefix}${g}`);
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups: described } = await admin.describeGroups(groups);
    return Object.fromEntries(described.map((g) => [g.groupId, g.members.map((m) => m.memberId).sort()]));
  } finally {
    await admin.disconnect();
  }
}

/** Produces requests straight to their priority topics, as any Kafka producer may (no ingest, no auth). */
async function produce(requests: NotificationRequest[]): Promise<void> {
  const codec = createCodec(testEnv.registryUrl);
  const producer = createProducer(testKafka());
  await producer.connect();
  try {
    for (let j = 0; j < requests.length; j += 50) {
      const chunk = requests.slice(j, j + 50);
      const topicMessages = await Promise.all(
        PRIORITIES.map(async (p) => {
          const topic = `${stack.prefix}notify.priority.${p.toLowerCase()}`;
          const messages = await Promise.all(
            chunk
              .filter((r) => r.priority === p)
              .map(async (r) => ({ key: r.userId, value: await codec.encode(topic, r) })),
          );
          return { topic, messages };
        }),
      );
      await producer.sendBatch({ topicMessages });
    }
  } finally {
    await producer.disconnect();
  }
}

const KINDS: Lower[][] = [['email'], ['sms'], ['push'], ['email', 'sms', 'push']];

/** The services whose process has ended, with how. */
const exited = () =>
  SERVICES.flatMap((s) => {
    const status = stack.exitStatus(s);
    return status ? [`${s}: ${JSON.stringify(status)}: ${stack.output(s).slice(-600)}`] : [];
  });

it('keeps every process up through a Postgres restart, and loses nothing', async () => {
  const run = randomUUID().slice(0, 8);
  const users = Array.from({ length: 500 }, (_, i) => `pg-${run}-${i}`);
  const kindOf = (i: number): Lower[] => KINDS[i % KINDS.length] ?? ['email'];
  const has = (i: number, c: Lower) => kindOf(i).includes(c);
  const phoneOf = (i: number) => `+1415${5_000_000 + i}`;
  await stack.pool.query(
    `INSERT INTO users (id, email, phone) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [
      users,
      users.map((u, i) => (has(i, 'email') ? `${u}@example.com` : null)),
      users.map((_, i) => (has(i, 'sms') ? phoneOf(i) : null)),
    ],
  );
  await stack.pool.query(
    `INSERT INTO devices (user_id, token, platform) SELECT u, 'token-' || u, 'android' FROM unnest($1::text[]) AS u`,
    [users.filter((_, i) => has(i, 'push'))],
  );
  const addressOf = (i: number, c: Lower) =>
    c === 'email' ? `${users[i]}@example.com` : c === 'sms' ? phoneOf(i) : `token-${users[i]}`;
  const expected = new Map<string, Lower[]>();

  // The first half through the API, before the outage (its API-key check reads Postgres).
  const half = users.length / 2;
  const res = await stack.api('POST', '/v1/notifications/batch', {
    notifications: users.slice(0, half).map((u, i) => ({
      userId: u,
      priority: PRIORITIES[i % PRIORITIES.length]?.toLowerCase(),
      data: { title: 'Outage', body: `before ${u}` },
    })),
  });
  expect(res.status).toBe(202);
  (res.body.results as { id: string }[]).forEach((r, i) => expected.set(r.id, kindOf(i)));

  // The second half straight to the priority topics while Postgres is away: users the router has
  // not cached, so it must wait for Postgres, as the status projection must.
  const late = users.slice(half).map((u, j): NotificationRequest => {
    const priority = PRIORITIES[j % PRIORITIES.length] ?? 'NORMAL';
    return {
      id: randomUUID(),
      userId: u,
      category: 'account',
      priority,
      templateId: null,
      channels: null,
      data: JSON.stringify({ title: 'Outage', body: `during ${u}` }),
      dedupKey: null,
      createdAt: Date.now(),
      sendAt: null,
      expiresAt: null,
      to: null,
      locale: null,
    };
  });
  late.forEach((r, j) => expected.set(r.id, kindOf(half + j)));

  const membersBefore = await postgresGroupMembers();
  expect(
    Object.fromEntries(
      Object.entries(membersBefore).map(([g, m]) => [g.slice(stack.prefix.length), m.length]),
    ),
  ).toEqual(Object.fromEntries(Object.keys(membersBefore).map((g) => [g.slice(stack.prefix.length), 1])));
  const watcher = watchReadiness(['ingest', 'router', 'dlq']);
  const startedAt = Date.now();
  const [cut] = await Promise.all([stack.postgresOutage(15_000), produce(late)]).finally(() =>
    watcher.stop(),
  );
  const outageMs = Date.now() - startedAt;
  const notReady = await watcher.stop();

  expect(exited()).toEqual([]);
  expect([...notReady].sort()).toEqual(['dlq', 'ingest', 'router']);

  const endedAt = Date.now();
  const readyAfter = await Promise.all(
    SERVICES.map(async (s) => {
      await waitFor(
        `${s} ready again`,
        async () => (await fetch(stack.url(s, '/readyz'))).status === 200,
        30_000,
        200,
      );
      return `${s} ${Date.now() - endedAt}`;
    }),
  );
  await allSentInProjection(expected, 60_000);
  const recoveredMs = Date.now() - endedAt;
  // Waited out in place: no consumer crashed, none rejoined, no lane of any replica rebalanced.
  expect(await postgresGroupMembers()).toEqual(membersBefore);

  const ids = [...expected.keys()];
  const statuses = await channelStatuses(ids);
  const wrong = ids.filter((id) => (expected.get(id) ?? []).some((c) => statuses.get(id)?.[c] !== 'sent'));
  expect(wrong).toEqual([]);
  const inbox = new Set(stack.sandbox.store.list({ accepted: true }).map((m) => m.to));
  const missing = users.flatMap((_, i) =>
    kindOf(i)
      .map((c) => addressOf(i, c))
      .filter((a) => !inbox.has(a)),
  );
  expect(missing).toEqual([]);
  console.log(
    `Postgres outage of ${outageMs} ms (${cut.terminated} backends terminated, ${cut.reset} connections reset): ` +
      `${expected.size} notifications sent, not ready during it: ${[...notReady].join(', ') || 'none'}, ` +
      `ready again after it (ms): ${readyAfter.join(', ')}; all sent ${recoveredMs} ms after it; no process exited, no group rebalanced`,
  );
  expect(exited()).toEqual([]);
}, 120_000);
