import { randomUUID } from 'node:crypto';
import { addressHash, announceChange, createRedis, listenForChanges } from '@herald/shared';
import type { ChannelMessage, InboundRecord, NotificationRequest, StatusEvent } from '@herald/shared';
import { collect, integrationDeps, processOnce, silentLog, testEnv, waitFor } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { createRouterProcessor } from '../src/consumer';
import type { RouterDeps } from '../src/consumer';
import { cachedUserDirectory, pgUserDirectory } from '../src/adapters/users';
import { recordOf, requestFor, routerDeps } from './router-deps';

/**
 * The router's decisions on real Postgres, Redis and Kafka (issue 9): dedup, consent, quiet hours,
 * a deferral over a cap, and a preference change without a restart. The cap across two router
 * processes is in replicas.int.test.ts.
 */
let deps: IntegrationDeps;
let collector: Awaited<ReturnType<typeof collect>>;

beforeAll(async () => {
  deps = await integrationDeps('policy');
  collector = await collect(deps.kafka, [
    deps.topics.status,
    deps.topics.delay('1h'),
    deps.topics.channel('EMAIL', 'NORMAL'),
    deps.topics.channel('SMS', 'NORMAL'),
  ]);
});
afterAll(async () => {
  await collector?.stop();
  await deps?.close();
});

/** A user of its own per test, with an email, a phone and one device. */
async function newUser(): Promise<string> {
  const id = `policy-${randomUUID()}`;
  await deps.pool.query(
    `INSERT INTO users (id, email, phone, locale, timezone) VALUES ($1, $2, '+14155550100', 'en', 'Europe/Paris')`,
    [id, `${id}@example.com`],
  );
  await deps.pool.query(`INSERT INTO devices (user_id, token, platform) VALUES ($1, $2, 'ios')`, [
    id,
    `tok-${id}`,
  ]);
  return id;
}

/** The router's status event for a notification, decoded, once it is there. */
function eventOf(id: string, status: StatusEvent['status'] = 'ROUTED'): Promise<StatusEvent> {
  return waitFor(`the ${status} event of ${id}`, async () =>
    (await collector.decoded<StatusEvent>(deps.codec, deps.topics.status)).find(
      (e) => e.notificationId === id && e.status === status,
    ),
  );
}

async function decisionsOf(id: string): Promise<Record<string, string>> {
  const detail = JSON.parse((await eventOf(id)).detail ?? '{}') as {
    decisions: { channel: string; decision: string; reason?: string }[];
  };
  return Object.fromEntries(detail.decisions.map((d) => [d.channel, d.reason ?? d.decision]));
}

/** Template variables for the welcome template (strict: it needs both), and more to tell requests apart. */
const vars = (extra: Record<string, unknown>) => JSON.stringify({ name: 'Ada', product: 'Herald', ...extra });

function router(over: Partial<RouterDeps> = {}) {
  const processor = createRouterProcessor(routerDeps(deps, over));
  return (r: NotificationRequest) =>
    recordOf(deps, r).then((rec) => processOnce(processor, deps.publisher, rec));
}

describe('dedup', () => {
  it('suppresses a duplicate within the window and sends one outside it; the same notification again is routed again', async () => {
    const user = await newUser();
    const route = router({ policy: { ...routerDeps(deps).policy, dedupWindowMs: 1500 } });
    const first = requestFor(user, { channels: ['EMAIL'], dedupKey: 'order-42' });
    const twin = requestFor(user, { channels: ['EMAIL'], dedupKey: 'order-42' });
    await route(first);
    await route(twin);
    await route(first); // a redelivery of the first: routed as before, not its own duplicate
    expect(await decisionsOf(first.id)).toEqual({ EMAIL: 'deliver' });
    expect(await decisionsOf(twin.id)).toEqual({ EMAIL: 'duplicate' });
    // The redelivery went out again, as the first time (the dispatcher's delivery key keeps it to
    // one send), and was not taken for a duplicate of itself.
    const emails = await waitFor('the first, routed twice', async () => {
      const all = await collector.decoded<ChannelMessage>(deps.codec, deps.topics.channel('EMAIL', 'NORMAL'));
      const mine = all.filter((m) => m.notificationId === first.id);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(emails).toHaveLength(2);
    const events = await collector.decoded<StatusEvent>(deps.codec, deps.topics.status);
    expect(events.filter((e) => e.notificationId === first.id && e.detail?.includes('duplicate'))).toEqual(
      [],
    );
    await new Promise((r) => setTimeout(r, 1600));
    const later = requestFor(user, { channels: ['EMAIL'], dedupKey: 'order-42' });
    await route(later);
    expect(await decisionsOf(later.id)).toEqual({ EMAIL: 'deliver' });
    // Without a key, the same content is the same notification.
    const a = requestFor(user, { channels: ['SMS'], data: vars({ code: '123' }) });
    const b = requestFor(user, { channels: ['SMS'], data: vars({ code: '123' }) });
    await route(a);
    await route(b);
    expect(await decisionsOf(a.id)).toEqual({ SMS: 'deliver' });
    expect(await decisionsOf(b.id)).toEqual({ SMS: 'duplicate' });
  });
});

describe('consent', () => {
  it('suppresses an opted-out category, sends a required one, and never uses a suppressed address', async () => {
    const user = await newUser();
    await deps.pool.query(
      `INSERT INTO preferences (user_id, category, channel, enabled) VALUES
         ($1, 'marketing', 'EMAIL', false), ($1, 'security', 'EMAIL', false)`,
      [user],
    );
    await deps.pool.query(
      `INSERT INTO suppressed_addresses (channel, address_hash, reason, source) VALUES ('PUSH', $1, 'unregistered', 'test')`,
      [addressHash('PUSH', `tok-${user}`)],
    );
    const route = router();
    const marketing = requestFor(user, { category: 'marketing', channels: ['EMAIL', 'SMS', 'PUSH'] });
    const security = requestFor(user, { category: 'security', channels: ['EMAIL', 'PUSH'] });
    await route(marketing);
    await route(security);
    expect(await decisionsOf(marketing.id)).toEqual({
      EMAIL: 'opted_out',
      SMS: 'deliver',
      PUSH: 'address_suppressed',
    });
    expect(await decisionsOf(security.id)).toEqual({ EMAIL: 'deliver', PUSH: 'address_suppressed' });

    await deps.pool.query('UPDATE users SET unsubscribed_at = now() WHERE id = $1', [user]);
    const news = requestFor(user, { category: 'news', channels: ['SMS'] });
    await route(news);
    expect(await decisionsOf(news.id)).toEqual({ SMS: 'unsubscribed' });
  });
});

describe('quiet hours', () => {
  it("defers a normal notification to the end of the user's quiet hours through the delay engine; critical goes at once", async () => {
    const user = await newUser();
    // Quiet all day today and tomorrow in Tokyo: the window ends at 00:00 JST the day after tomorrow.
    const tokyoToday = new Date(Date.now() + 9 * 3_600_000).getUTCDay();
    const day = (d: number) => (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[d % 7] ?? 'sun';
    await deps.pool.query(
      `INSERT INTO quiet_hours (user_id, timezone, rules) VALUES ($1, 'Asia/Tokyo', $2)`,
      [
        user,
        JSON.stringify([{ days: [day(tokyoToday), day(tokyoToday + 1)], start: '00:00', end: '00:00' }]),
      ],
    );
    const route = router();
    const normal = requestFor(user, { channels: ['EMAIL'] });
    const critical = requestFor(user, { channels: ['EMAIL'], priority: 'CRITICAL' });
    await route(normal);
    await route(critical);
    const tokyoMidnight = new Date(Date.now() + 9 * 3_600_000);
    tokyoMidnight.setUTCHours(0, 0, 0, 0);
    const end = tokyoMidnight.getTime() - 9 * 3_600_000 + 2 * 86_400_000;
    const deferred = await eventOf(normal.id, 'DEFERRED');
    expect(deferred.reason).toBe('quiet_hours');
    expect(JSON.parse(deferred.detail ?? '{}')).toEqual(
      expect.objectContaining({ until: new Date(end).toISOString() }),
    );
    const held = await waitFor('the held request', () =>
      collector.records.find(
        (r) => r.topic === deps.topics.delay('1h') && r.headers['due-at'] === new Date(end).toISOString(),
      ),
    );
    expect(held.headers['target-topic']).toBe(deps.topics.priority('NORMAL'));
    expect(await decisionsOf(critical.id)).toEqual({ EMAIL: 'deliver' });
  });
});

describe('deferred over a cap', () => {
  it('comes back when the cap has room and is sent then, counted once', async () => {
    const user = await newUser();
    let now = Date.now();
    const policy = {
      ...routerDeps(deps).policy,
      caps: [{ channel: 'SMS' as const, limit: 1, windowMs: 3_600_000 }],
    };
    const processor = createRouterProcessor(routerDeps(deps, { policy, clock: () => now }));
    const route = (rec: InboundRecord) => processOnce(processor, deps.publisher, rec);
    const first = requestFor(user, { channels: ['SMS'], data: vars({ n: 1 }) });
    const second = requestFor(user, { channels: ['SMS', 'EMAIL'], data: vars({ n: 2 }) });
    await route(await recordOf(deps, first));
    await route(await recordOf(deps, second));
    expect(await decisionsOf(second.id)).toEqual({ SMS: 'rate_limited', EMAIL: 'deliver' });
    // The copy for SMS alone waits in the delay engine, due when the first leaves the window.
    const held = await waitFor('the deferred copy', () =>
      collector.records.find((r) => r.topic === deps.topics.delay('1h') && r.key === user),
    );
    const dueAt = Date.parse(held.headers['due-at'] ?? '');
    expect(dueAt).toBe(now + 3_600_000);
    expect(held.headers['target-topic']).toBe(deps.topics.priority('NORMAL'));
    const copy = (await deps.codec.decode(held.value ?? Buffer.alloc(0))) as NotificationRequest;
    expect(copy).toEqual(expect.objectContaining({ id: second.id, channels: ['SMS'], sendAt: dueAt }));

    // Released by the delay engine at its due time: routed again, the SMS sent this time.
    now = dueAt;
    await route({ ...(await recordOf(deps, first)), value: held.value });
    const rerouted = await waitFor('the second routing', async () =>
      (await collector.decoded<StatusEvent>(deps.codec, deps.topics.status)).find(
        (e) =>
          e.notificationId === second.id &&
          e.status === 'ROUTED' &&
          e.detail?.includes('"deliver"') &&
          !e.detail.includes('EMAIL'),
      ),
    );
    expect(JSON.parse(rerouted.detail ?? '{}')).toEqual(
      expect.objectContaining({ decisions: [{ channel: 'SMS', decision: 'deliver', addresses: 1 }] }),
    );
    // The message sent at once falls due when created; the held copy's when it was held until, so
    // end-to-end latency does not count the wait.
    const messagesOf = async (channel: 'SMS' | 'EMAIL') =>
      (await collector.decoded<ChannelMessage>(deps.codec, deps.topics.channel(channel, 'NORMAL'))).filter(
        (m) => m.notificationId === second.id,
      );
    const [sms] = await waitFor('the SMS message', async () => {
      const found = await messagesOf('SMS');
      return found.length > 0 ? found : undefined;
    });
    expect(sms).toEqual(expect.objectContaining({ createdAt: second.createdAt, dueAt }));
    expect(await messagesOf('EMAIL')).toEqual([
      expect.objectContaining({ createdAt: second.createdAt, dueAt: null }),
    ]);
  });
});

describe('preferences', () => {
  it('takes a change into account without a restart, as soon as it is announced', async () => {
    const user = await newUser();
    const prefix = `policy-${randomUUID()}.`;
    // A cache that would otherwise keep the user for a minute.
    const users = cachedUserDirectory(pgUserDirectory(deps.pool), { ttlMs: 60_000, max: 100 });
    const stop = await listenForChanges(
      createRedis(testEnv.redisUrl),
      prefix,
      (change) => {
        if (change.kind === 'user') users.forget(change.userId);
      },
      silentLog,
    );
    try {
      const route = router({ users });
      const before = requestFor(user, { category: 'marketing', channels: ['EMAIL'], data: vars({ n: 1 }) });
      await route(before);
      expect(await decisionsOf(before.id)).toEqual({ EMAIL: 'deliver' });
      await deps.pool.query(
        `INSERT INTO preferences (user_id, category, channel, enabled) VALUES ($1, 'marketing', 'EMAIL', false)`,
        [user],
      );
      await announceChange(deps.redis, prefix, { kind: 'user', userId: user }, silentLog);
      const after = await waitFor(
        'the change to be heard',
        async () => {
          const r = requestFor(user, {
            category: 'marketing',
            channels: ['EMAIL'],
            data: vars({ at: Date.now() }),
          });
          await route(r);
          const d = await decisionsOf(r.id);
          return d.EMAIL === 'opted_out' ? d : undefined;
        },
        5000,
      );
      expect(after).toEqual({ EMAIL: 'opted_out' });
    } finally {
      await stop();
    }
  });
});
