import { randomUUID } from 'node:crypto';
import { createCodec, createProducer } from '@herald/shared';
import type { Codec, Kafka, NotificationRequest, StatusEvent, TopicNames } from '@herald/shared';
import type pg from 'pg';
import type { BenchContext } from '../context';
import { infraProcesses } from '../context';
import { startSampler } from '../procstat';
import type { ProcessUsage } from '../procstat';
import { startProgress } from '../progress';
import { CATEGORIES, ROUTER_CAPS, RULES, drawPolicies, planRouterRequests } from '../router-workload';
import { insertUsers } from '../seed';
import { ratePerSecond } from '../stats';
import { startServices } from '../stack/services';
import { makeUsers, phaseTag } from '../workload';
import { stopStack } from './throughput';

export interface RouterResult {
  users: number;
  requests: number;
  producedPerSecond: number | null;
  /** Requests the router decided: one ROUTED, DEFERRED or EXPIRED event each. */
  decided: number;
  complete: boolean;
  /** Decided per second, from the first decision's event to the last. */
  decisionsPerSecond: number | null;
  /** Per channel decision (`deliver`, `suppressed:<reason>`, `deferred:<reason>`) and per request. */
  outcomes: Record<string, number>;
  router: ProcessUsage | null;
  processes: ProcessUsage[];
  machineBusyPercent: number | null;
  durationMs: number;
}

/** Opt-outs, unsubscribes, quiet hours, categories and rules, each in one statement. */
async function seedPolicies(pool: pg.Pool, users: Parameters<typeof drawPolicies>[0], rand: () => number) {
  const p = drawPolicies(users, rand);
  await pool.query(
    `INSERT INTO preferences (user_id, category, channel, enabled) SELECT u, 'marketing', 'EMAIL', false FROM unnest($1::text[]) u`,
    [p.optedOut],
  );
  await pool.query('UPDATE users SET unsubscribed_at = now() WHERE id = ANY($1::text[])', [p.unsubscribed]);
  const nightly = JSON.stringify([
    { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '22:00', end: '07:00' },
  ]);
  await pool.query(`INSERT INTO quiet_hours (user_id, rules) SELECT u, $2::jsonb FROM unnest($1::text[]) u`, [
    p.quiet,
    nightly,
  ]);
  for (const c of CATEGORIES)
    await pool.query(
      `INSERT INTO categories (id, required, caps) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET required = $2, caps = $3`,
      [c.id, c.required, JSON.stringify(c.caps)],
    );
  for (const r of RULES)
    await pool.query(
      `INSERT INTO routing_rules (id, position, match, channels, stop_processing) VALUES ($1, $2, $3, $4, $5)`,
      [r.id, r.position, JSON.stringify(r.match), r.channels, r.stopProcessing],
    );
  return p;
}

/** Reads the router's decisions off notify.status, once per notification. */
async function watchDecisions(kafka: Kafka, codec: Codec, topics: TopicNames) {
  const decided = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  const count = (k: string) => (outcomes[k] = (outcomes[k] ?? 0) + 1);
  const consumer = kafka.consumer({ groupId: topics.group('bench-decisions'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.status], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async (payload) => {
      for (const m of payload.batch.messages) {
        const e = (await codec.decode(m.value ?? Buffer.alloc(0))) as StatusEvent;
        if (e.service !== 'router' || decided.has(e.notificationId)) continue;
        if (e.status !== 'ROUTED' && e.status !== 'DEFERRED' && e.status !== 'EXPIRED') continue;
        decided.set(e.notificationId, Number(m.timestamp));
        if (e.status !== 'ROUTED')
          count(`request:${e.status.toLowerCase()}${e.reason ? `:${e.reason}` : ''}`);
        const detail = JSON.parse(e.detail ?? '{}') as {
          decisions?: { decision: string; reason?: string }[];
        };
        for (const d of detail.decisions ?? []) count(d.reason ? `${d.decision}:${d.reason}` : d.decision);
      }
      await payload.heartbeat();
    },
  });
  return { decided, outcomes, stop: () => consumer.disconnect() };
}

async function produce(
  kafka: Kafka,
  codec: Codec,
  topics: TopicNames,
  requests: NotificationRequest[],
  batch: number,
  onProduced: (n: number) => void,
) {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < requests.length; i += batch) {
      const byTopic = new Map<string, { key: string; value: Buffer }[]>();
      for (const r of requests.slice(i, i + batch)) {
        const topic = topics.priority(r.priority);
        byTopic.set(topic, [
          ...(byTopic.get(topic) ?? []),
          { key: r.userId, value: await codec.encode(topic, r) },
        ]);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      onProduced(Math.min(batch, requests.length - i));
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * (f) One router process with every decision active, on a user table of `router.users`: N requests
 * produced to the priority topics, decided as fast as the router can; nothing downstream runs.
 */
export async function runRouter(ctx: BenchContext): Promise<RouterResult> {
  const { settings } = ctx;
  const started = Date.now();
  ctx.print(
    `(f) starting the router alone, with dedup, preferences, quiet hours, caps and rules, on ${settings.router.users} users`,
  );
  const stack = await startServices({
    label: 'f',
    root: ctx.root,
    env: ctx.env,
    logDir: ctx.logDir,
    instances: [{ name: 'router', service: 'router', env: { FREQUENCY_CAPS: ROUTER_CAPS } }],
  });
  const unregister = ctx.onInterrupt(() => stack.stop());
  const codec = createCodec(ctx.env.registryUrl);
  let watcher: Awaited<ReturnType<typeof watchDecisions>> | undefined;
  try {
    const users = makeUsers(settings.router.users, ctx.rand);
    await insertUsers(stack.pool, users);
    await seedPolicies(stack.pool, users, ctx.rand);
    const requests = planRouterRequests({
      count: settings.n,
      users,
      rand: ctx.rand,
      tag: phaseTag(ctx.rand),
      newId: randomUUID,
      now: Date.now(),
    });
    watcher = await watchDecisions(stack.kafka, codec, stack.topics);
    const sampler = startSampler([...stack.processes(), ...infraProcesses(ctx.root)], settings.sampleEveryMs);
    let produced = 0;
    const progress = startProgress(
      'f · router',
      settings.progressEveryMs,
      () => ({
        accepted: produced,
        failed: 0,
        delivered: watcher?.decided.size ?? 0,
        expected: requests.length,
      }),
      ctx.print,
      { accepted: 'produced', delivered: 'decided' },
    );
    const produceStart = Date.now();
    let produceMs = 0;
    try {
      await produce(
        stack.kafka,
        codec,
        stack.topics,
        requests,
        settings.produceBatch,
        (n) => (produced += n),
      );
      produceMs = Date.now() - produceStart;
      let seen = watcher.decided.size;
      let lastChange = Date.now();
      while (watcher.decided.size < requests.length && Date.now() - lastChange < settings.stallMs) {
        await new Promise((r) => setTimeout(r, 200));
        if (watcher.decided.size !== seen) {
          seen = watcher.decided.size;
          lastChange = Date.now();
        }
      }
    } finally {
      progress.stop();
    }
    const machineBusyPercent = sampler.machineBusyPercent();
    const processes = sampler.stop();
    const times = [...watcher.decided.values()];
    const first = times.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const last = times.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    return {
      users: users.length,
      requests: requests.length,
      producedPerSecond: ratePerSecond(requests.length, produceMs),
      decided: watcher.decided.size,
      complete: watcher.decided.size >= requests.length,
      decisionsPerSecond: times.length > 1 ? ratePerSecond(times.length, last - first) : null,
      outcomes: Object.fromEntries(Object.entries(watcher.outcomes).sort(([, a], [, b]) => b - a)),
      router: processes.find((p) => p.name === 'router') ?? null,
      processes,
      machineBusyPercent,
      durationMs: Date.now() - started,
    };
  } finally {
    await watcher?.stop().catch(() => undefined);
    unregister();
    await stopStack(ctx, stack);
  }
}
