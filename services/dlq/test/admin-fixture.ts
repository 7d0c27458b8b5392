import { randomBytes, randomUUID } from 'node:crypto';
import { HeraldError, createApiKey, createRegistry, failureHeaders } from '@herald/shared';
import type { ChannelMessage, FastifyInstance, Registry, StatusEvent } from '@herald/shared';
import { collect, integrationDeps, silentLog, waitFor } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { buildApp } from '../src/app';
import type { AdminServices } from '../src/app';
import { createAdminServices } from '../src/admin';
import { pgDeadLetters } from '../src/adapters/dead-letters';
import type { NewDeadLetter } from '../src/adapters/dead-letters';
import type { ReplayJobDeps } from '../src/replay-jobs';

/** A reason code no other test (or earlier run) uses: lists filtered by it see only this test's letters. */
export const uniqueReason = (): string =>
  `t_${[...randomBytes(10)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

export interface AdminFixture {
  deps: IntegrationDeps;
  app: FastifyInstance;
  admin: AdminServices;
  registry: Registry;
  keyName: string;
  key: string;
  sendKey: string;
  collector: Awaited<ReturnType<typeof collect>>;
  /** The topic parked letters came from and are replayed to. */
  target: string;
  close(): Promise<void>;
}

/** The dlq's admin app on the test's Kafka and Postgres, built as main.ts builds it. */
export async function adminFixture(jobOptions: Pick<ReplayJobDeps, 'chunkSize' | 'retryDelayMs'> = {}) {
  const deps = await integrationDeps('dlq-admin');
  const registry = createRegistry('dlq-admin-test');
  const store = pgDeadLetters(deps.pool);
  const admin = createAdminServices({ ...deps, registry, log: silentLog }, store, jobOptions);
  const app = buildApp(
    { registry, readiness: { draining: false, checks: [] }, pool: deps.pool, log: silentLog },
    store,
    admin,
  );
  const keyName = `dlq-admin-${randomUUID().slice(0, 8)}`;
  const target = deps.topics.channel('EMAIL', 'HIGH');
  const collector = await collect(deps.kafka, [
    target,
    deps.topics.channel('SMS', 'LOW'),
    deps.topics.status,
  ]);
  const fixture: AdminFixture = {
    deps,
    app,
    admin,
    registry,
    keyName,
    key: await createApiKey(deps.pool, keyName, ['admin']),
    sendKey: await createApiKey(deps.pool, `${keyName}-send`),
    collector,
    target,
    async close() {
      await admin.replays.stop();
      await app.close();
      await collector.stop();
      await deps.close();
    },
  };
  return fixture;
}

export const message = (over: Partial<ChannelMessage> = {}): ChannelMessage => ({
  notificationId: randomUUID(),
  userId: 'u-admin',
  category: 'c',
  channel: 'EMAIL',
  priority: 'HIGH',
  address: 'a@example.com',
  subject: 's',
  title: null,
  body: 'b',
  html: null,
  data: '',
  locale: null,
  createdAt: Date.now(),
  expiresAt: null,
  // As decoded: the fields newer than the first schema, at their defaults.
  fromEmail: null,
  fromName: null,
  replyTo: null,
  unsubscribable: false,
  ttlSeconds: null,
  collapseKey: null,
  dueAt: null,
  ...over,
});

let offset = Date.now() * 100;

/** Parks letters as the failure processor does (pgDeadLetters.park); returns their ids, in order. */
export async function parkLetters(
  f: AdminFixture,
  letters: { message?: ChannelMessage; reason?: string; over?: Partial<NewDeadLetter> }[],
): Promise<string[]> {
  const rows: NewDeadLetter[] = [];
  for (const l of letters) {
    const m = l.message ?? message();
    const source = f.deps.topics.channel(m.channel, m.priority);
    const headers = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'x-origin': 'admin-test',
      ...failureHeaders(new HeraldError('provider_unavailable', 'HTTP 503'), {
        sourceTopic: source,
        previous: {
          attempt: '7',
          failures: JSON.stringify([
            { attempt: 7, at: '2026-01-01T00:00:00.000Z', error: 'provider_unavailable: first' },
          ]),
        },
        now: Date.now(),
      }),
      'retry-delay-ms': '60000',
    };
    rows.push({
      sourceTopic: f.deps.topics.dlq,
      sourcePartition: 0,
      sourceOffset: String(offset++),
      targetTopic: source,
      notificationId: m.notificationId,
      channel: m.channel,
      key: Buffer.from(m.userId),
      payload: await f.deps.codec.encode(source, m),
      headers,
      reason: l.reason ?? 'provider_unavailable',
      errorClass: 'transient',
      attempts: 8,
      firstError: 'provider_unavailable: first',
      error: 'provider_unavailable: HTTP 503',
      firstFailedAt: new Date('2026-01-01T00:00:00.000Z'),
      ...l.over,
    });
  }
  const refused = await pgDeadLetters(f.deps.pool).park(rows);
  if (refused.length > 0) throw new Error(`letters refused: ${refused.map((r) => r.reason).join(', ')}`);
  const { rows: ids } = await f.deps.pool.query<{ id: string }>(
    `SELECT id::text AS id FROM dead_letters WHERE source_topic = $1 AND source_offset = ANY($2::bigint[]) ORDER BY dead_letters.id`,
    [f.deps.topics.dlq, rows.map((r) => r.sourceOffset)],
  );
  return ids.map((r) => r.id);
}

/**
 * Parks letters, then gives them ids that straddle a power of ten (…999998, …999999, 1000000,
 * 1000001…), where ids compared as text order wrongly. The ids are well above the id sequence, which
 * is never moved (moving it would multiply it by ten on every run): `release` deletes the letters, so
 * the sequence never meets them. Returns the ids in parking order.
 */
export async function parkAcrossPowerOfTen(
  f: AdminFixture,
  letters: Parameters<typeof parkLetters>[1],
): Promise<{ ids: string[]; release: () => Promise<void> }> {
  const parked = await parkLetters(f, letters);
  const { rows } = await f.deps.pool.query<{ v: string }>(
    "SELECT last_value::text AS v FROM pg_sequences WHERE sequencename = 'dead_letters_id_seq'",
  );
  let power = 10n;
  while (power <= BigInt(rows[0]?.v ?? '0') + 1_000_000n) power *= 10n;
  const first = power - BigInt(Math.ceil(parked.length / 2));
  const ids = parked.map((_, i) => String(first + BigInt(i)));
  const release = async () => {
    await f.deps.pool.query('DELETE FROM dead_letters WHERE id = ANY($1::bigint[])', [ids]);
  };
  await release(); // what an interrupted run left
  await f.deps.pool.query(
    `UPDATE dead_letters SET id = moved.id FROM unnest($1::bigint[], $2::bigint[]) AS moved(old, id)
      WHERE dead_letters.id = moved.old`,
    [parked, ids],
  );
  return { ids, release };
}

/** An admin API call with the fixture's admin key (or the one given; null for none). */
export async function call(
  f: AdminFixture,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  key: string | null = f.key,
) {
  const res = await f.app.inject({
    method,
    url,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>(), headers: res.headers };
}

/** The status events of a notification, once there are `n`. */
export const eventsOf = (f: AdminFixture, notificationId: string, n: number) =>
  waitFor(`${n} status event(s) of ${notificationId}`, async () => {
    const mine = (await f.collector.decoded<StatusEvent>(f.deps.codec, f.deps.topics.status)).filter(
      (e) => e.notificationId === notificationId,
    );
    return mine.length >= n ? mine : undefined;
  });

/** Records replayed from a dead letter, once there are `n`. */
export const replayedFrom = (f: AdminFixture, id: string, n = 1) =>
  waitFor(`${n} replay(s) of dead letter ${id}`, () => {
    const mine = f.collector.records.filter((r) => r.headers['replayed-from'] === id);
    return mine.length >= n ? mine : undefined;
  });

export const statusOf = async (f: AdminFixture, id: string) =>
  (await f.deps.pool.query<{ status: string }>('SELECT status FROM dead_letters WHERE id = $1', [id])).rows[0]
    ?.status;
