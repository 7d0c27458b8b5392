import {
  DEFAULT_DELAY_TIERS,
  createRegistry,
  delayedRecord,
  metricsFor,
  parseTiers,
  startConsumers,
} from '@herald/shared';
import type { Admin, OutboundRecord, RunningConsumers } from '@herald/shared';
import { integrationDeps, silentLog } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { createTierProcessor, delayGroups } from '../src/tiers';

/** A record as it arrived on a topic: when it was produced there (its Kafka timestamp) and where. */
interface Arrival {
  topic: string;
  partition: number;
  key: string;
  producedAt: number;
  dueAt: number;
  /** Which test scheduled it: the tiers and the target are shared by the tests of this file. */
  label: string;
}

const tiers = parseTiers(DEFAULT_DELAY_TIERS);
/** As DELAY_HORIZON_MS's and DELAY_FETCH_WAIT_MS's defaults. */
const HORIZON_MS = 250;
const FETCH_WAIT_MS = 100;
let deps: IntegrationDeps;
let admin: Admin;
let engine: RunningConsumers | undefined;
let groupN = 0;
/** The registry of the latest startTiers(): its delay metrics. */
let registry: ReturnType<typeof createRegistry>;

beforeAll(async () => {
  deps = await integrationDeps('tiers');
  admin = deps.kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin?.disconnect();
  await deps?.close();
});
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

/** The dlq's tier consumers, as main.ts starts them, on this test's topics. */
async function startTiers(): Promise<RunningConsumers> {
  registry = createRegistry(`tiers-${++groupN}`);
  return startConsumers({
    kafka: deps.kafka,
    groups: delayGroups(
      { ...deps.topics, group: (n) => deps.topics.group(`${n}-${groupN}`) },
      tiers,
      HORIZON_MS,
    ),
    processor: createTierProcessor({
      topics: deps.topics,
      tiers,
      clock: Date.now,
      metrics: {
        forwarded: metricsFor.delayForwarded(registry),
        lateness: metricsFor.delayReleaseLateness(registry),
        early: metricsFor.delayReleasedEarly(registry),
      },
    }),
    publisher: deps.publisher,
    topics: deps.topics,
    concurrency: 500,
    orderByKey: false,
    log: silentLog,
    options: { sessionTimeout: 10_000, heartbeatInterval: 1000 },
    onFatal: (err) => {
      throw err;
    },
    lag: { admin, gauge: metricsFor.delayWaiting(registry), intervalMs: 60_000, log: silentLog },
    maxWaitTimeInMs: FETCH_WAIT_MS,
  });
}

/** Reads the tiers and the target from the start, keeping each record's timestamp and due time. */
async function watch(topics: string[]) {
  const arrivals: Arrival[] = [];
  const consumer = deps.kafka.consumer({ groupId: `watch-${Date.now()}-${++groupN}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      arrivals.push({
        topic,
        partition,
        key: message.key?.toString() ?? '',
        producedAt: Number(message.timestamp),
        dueAt: Number(message.value?.toString().split('|')[0]),
        label: message.value?.toString().split('|')[1] ?? '',
      });
      return Promise.resolve();
    },
  });
  return { arrivals, stop: () => consumer.disconnect() };
}

/** A record due at `dueAt`, bound for the email high topic, `<due time>|<label>` as its value. */
function scheduled(key: string, dueAt: number, now: number, label: string): OutboundRecord {
  return delayedRecord(
    deps.topics,
    tiers,
    { key, value: Buffer.from(`${dueAt}|${label}`), headers: {} },
    deps.topics.channel('EMAIL', 'HIGH'),
    dueAt,
    now,
  ).record;
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the delay tiers on real Kafka', () => {
  const target = () => deps.topics.channel('EMAIL', 'HIGH');

  it('moves a message due in 7 s from the 5s tier to the 1s tier and releases it at its due time, not before', async () => {
    engine = await startTiers();
    const watcher = await watch([deps.topics.delay('5s'), deps.topics.delay('1s'), target()]);
    try {
      const now = Date.now();
      const due = now + 7000;
      await deps.publisher.publish([scheduled('seven', due, now, 'seven')]);
      const released = await until(
        'the release',
        () => watcher.arrivals.find((a) => a.topic === target() && a.key === 'seven'),
        20_000,
      );
      expect(released.producedAt).toBeGreaterThanOrEqual(due);
      expect(released.producedAt).toBeLessThanOrEqual(due + 1500);
      const path = watcher.arrivals.filter((a) => a.key === 'seven').map((a) => a.topic);
      expect(path).toEqual([
        deps.topics.delay('5s'),
        deps.topics.delay('1s'),
        deps.topics.delay('1s'),
        target(),
      ]);
    } finally {
      await watcher.stop();
    }
  });

  it('releases 1,000 messages due over the next 30 s none early, within 1.5 s, in due order per partition up to the horizon', async () => {
    const startedAt = Date.now();
    engine = await startTiers();
    const watcher = await watch([target()]);
    // This engine's groups are new: they also release the earlier test's record again.
    const ours = () => watcher.arrivals.filter((a) => a.label === 'thousand');
    try {
      let seed = 11;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const now = Date.now();
      const records = Array.from({ length: 1000 }, (_, i) =>
        scheduled(`user-${i % 40}`, now + 500 + Math.floor(random() * 30_000), now, 'thousand'),
      );
      await deps.publisher.publish(records);
      await until('1,000 releases', () => (ours().length >= 1000 ? true : undefined), 60_000);
      const releases = ours();
      expect(releases).toHaveLength(1000);
      const early = releases.filter((a) => a.producedAt < a.dueAt);
      expect(early).toEqual([]);
      const late = releases.map((a) => a.producedAt - a.dueAt).sort((a, b) => a - b);
      const pct = (p: number) => late[Math.min(late.length - 1, Math.floor((p / 100) * late.length))];
      // Per partition, pairs released against their due order, and by how much their due times differ.
      const inversions: number[] = [];
      const byPartition = new Map<number, Arrival[]>();
      for (const a of releases) byPartition.set(a.partition, [...(byPartition.get(a.partition) ?? []), a]);
      for (const arrivals of byPartition.values()) {
        let latestDue = 0;
        for (const a of arrivals) {
          if (a.dueAt < latestDue) inversions.push(latestDue - a.dueAt);
          latestDue = Math.max(latestDue, a.dueAt);
        }
      }
      // The figures the note asks for.
      console.log(
        `1,000 releases over 30 s: release − due p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${late.at(-1)} ms; ` +
          `${inversions.length} released after one due later, by at most ${Math.max(0, ...inversions)} ms of due time`,
      );
      expect(late.at(-1)).toBeLessThanOrEqual(1500);
      // The metrics agree: every release observed in the lateness histogram (once its produce was
      // acknowledged, which the watcher may see first), none counted early.
      const sum = async (series: string) =>
        (await registry.metrics())
          .split('\n')
          .filter((line) => line.startsWith(`${series}{`))
          .reduce((n, line) => n + Number(line.split(' ').at(-1)), 0);
      const releasedHere = () => watcher.arrivals.filter((a) => a.producedAt >= startedAt).length;
      const deadline = Date.now() + 5000;
      while (
        (await sum('herald_delay_release_lateness_seconds_count')) < releasedHere() &&
        Date.now() < deadline
      )
        await new Promise((r) => setTimeout(r, 50));
      expect(await sum('herald_delay_release_lateness_seconds_count')).toBe(releasedHere());
      expect(releasedHere()).toBeGreaterThanOrEqual(1000);
      expect(await sum('herald_delay_released_early_total')).toBe(0);
      // Out of due order only among records due within the horizon of each other: a record that
      // falls due while its partition's batch is held waits for the next fetch (docs/architecture.md),
      // so up to the horizon plus the fetch wait (and a margin for a loaded machine).
      expect(Math.max(0, ...inversions)).toBeLessThanOrEqual(HORIZON_MS + FETCH_WAIT_MS + 250);
    } finally {
      await watcher.stop();
    }
  });
});
