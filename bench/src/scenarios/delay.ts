import { DEFAULT_DELAY_TIERS, createProducer, parseTiers } from '@herald/shared';
import type { Kafka, Producer } from '@herald/shared';
import type { BenchContext } from '../context';
import { infraProcesses } from '../context';
import { distinctReleases, dueOrder, latenessSummary, releaseRate } from '../delay-stats';
import type { DueOrder, LatenessSummary } from '../delay-stats';
import { planDelayed, produceDelayed } from '../load/delayed';
import type { DelayedProduceStats, PlannedDelay } from '../load/delayed';
import { startSampler } from '../procstat';
import type { ProcessUsage } from '../procstat';
import { startProgress } from '../progress';
import { watchReleases } from '../releases';
import type { ReleaseWatcher } from '../releases';
import { ratePerSecond } from '../stats';
import { startServices } from '../stack/services';
import type { ServiceStack } from '../stack/services';
import { stopStack } from './throughput';

export interface DelayPhaseResult {
  name: 'e1' | 'e2';
  description: string;
  records: number;
  /** Where the engine released them (nothing consumes it in this scenario). */
  target: string;
  producedPerSecond: number | null;
  produceMs: number;
  /** Acknowledged by Kafka only after their due time: part of their lateness is the bench's. */
  producedAfterDue: number;
  /** Distinct records on the target. */
  released: number;
  /** Records the engine released more than once (one record at two offsets). */
  duplicates: number;
  complete: boolean;
  /** Release (the Kafka timestamp on the target) minus due time; `early` counts the negatives. */
  latenessMs: LatenessSummary;
  dueOrder: DueOrder;
  firstReleaseAt: number | null;
  lastReleaseAt: number | null;
  /** Records released per second, from the first release timestamp to the last. */
  releasedPerSecond: number | null;
  /** Records written to each delay tier's topic: the bench's, and the engine's moves between tiers. */
  tierRecords: Record<string, number>;
  /** Tier writes per record: 1 when every record waited in one tier only. */
  tierWritesPerRecord: number | null;
  /** The dlq from the start of production until the last release was read. */
  dlq: ProcessUsage | null;
  /** The dlq from the first release read to the last. */
  dlqReleasing: ProcessUsage | null;
  processes: ProcessUsage[];
  machineBusyPercent: number | null;
  durationMs: number;
}

export interface DelayResult {
  accuracy?: DelayPhaseResult;
  throughput?: DelayPhaseResult;
}

const TIERS = parseTiers(DEFAULT_DELAY_TIERS);

/**
 * (e1) Release accuracy under load: records due at random over `spreadMs` from `leadMs` on (by then
 * the bench has handed them all over), produced at once.
 */
export function runDelayAccuracy(ctx: BenchContext): Promise<DelayPhaseResult> {
  const { accuracyRecords, leadMs, spreadMs, keys } = ctx.settings.delay;
  return runDelayPhase(ctx, {
    name: 'e1',
    title: 'release accuracy',
    description: `${accuracyRecords} records due uniformly over ${spreadMs / 1000} s (from ${leadMs} ms on)`,
    planned: planDelayed({
      count: accuracyRecords,
      keys,
      rand: ctx.rand,
      dueAfterMs: () => leadMs + Math.floor(ctx.rand() * spreadMs),
    }),
  });
}

/** (e2) Forwarding throughput: N records all due `dueAfterMs` after production starts. */
export function runDelayThroughput(ctx: BenchContext): Promise<DelayPhaseResult> {
  const { keys, dueAfterMs } = ctx.settings.delay;
  const { n } = ctx.settings;
  return runDelayPhase(ctx, {
    name: 'e2',
    title: 'forwarding throughput',
    description: `${n} records all due ${dueAfterMs / 1000} s after production starts`,
    planned: planDelayed({ count: n, keys, rand: ctx.rand, dueAfterMs: () => dueAfterMs }),
  });
}

/** Records written to each tier topic so far (the topics are new: their end offsets). */
async function tierRecords(kafka: Kafka, topicOf: (tier: string) => string): Promise<Record<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of TIERS) {
      const offsets = await admin.fetchTopicOffsets(topicOf(t.name));
      out[t.name] = offsets.reduce((sum, o) => sum + Number(o.high), 0);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * One phase of (e) on a dlq process of its own (one process, as deployed; no router or dispatcher,
 * so nothing consumes the target): produce the records to the tiers, read the target from the
 * start until every record was released or none was for `stallMs` after the last due time.
 */
async function runDelayPhase(
  ctx: BenchContext,
  opts: { name: 'e1' | 'e2'; title: string; description: string; planned: readonly PlannedDelay[] },
): Promise<DelayPhaseResult> {
  const label = `${opts.name} · ${opts.title}`;
  ctx.print(`(${opts.name}) starting the dlq alone on a prefix and database of its own: ${opts.description}`);
  const stack = await startServices({
    label: opts.name,
    root: ctx.root,
    env: ctx.env,
    logDir: ctx.logDir,
    instances: [{ name: 'dlq', service: 'dlq' }],
  });
  const unregister = ctx.onInterrupt(() => stack.stop());
  const producer = createProducer(stack.kafka);
  const target = stack.topics.channel('EMAIL', 'LOW');
  let watcher: Awaited<ReturnType<typeof watchReleases>> | undefined;
  try {
    const started = Date.now();
    watcher = await watchReleases(stack.kafka, target, stack.topics.group('bench-releases'));
    await producer.connect();
    const measured = await measure(ctx, { ...opts, label, stack, producer, target, releases: watcher });
    const { releases: distinct, released, duplicates } = distinctReleases(watcher.read);
    const rate = releaseRate(distinct);
    const tiers = await tierRecords(stack.kafka, stack.topics.delay);
    const tierTotal = Object.values(tiers).reduce((a, b) => a + b, 0);
    const records = opts.planned.length;
    return {
      name: opts.name,
      description: opts.description,
      records,
      target: target.slice(stack.prefix.length),
      producedPerSecond: ratePerSecond(records, measured.load.endedAt - measured.load.startedAt),
      produceMs: measured.load.endedAt - measured.load.startedAt,
      producedAfterDue: measured.load.producedAfterDue,
      released,
      duplicates,
      complete: measured.complete,
      latenessMs: latenessSummary(distinct),
      dueOrder: dueOrder(distinct),
      firstReleaseAt: rate.firstAt,
      lastReleaseAt: rate.lastAt,
      releasedPerSecond: rate.perSecond,
      tierRecords: tiers,
      tierWritesPerRecord: records > 0 ? Math.round((tierTotal / records) * 100) / 100 : null,
      dlq: measured.processes.find((p) => p.name === 'dlq') ?? null,
      dlqReleasing: measured.dlqReleasing,
      processes: measured.processes,
      machineBusyPercent: measured.machineBusyPercent,
      durationMs: Date.now() - started,
    };
  } finally {
    await watcher?.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    unregister();
    await stopStack(ctx, stack);
  }
}

/**
 * Produces the records and waits for their release, sampling the processes meanwhile (the dlq
 * again from its first release on), with a progress line every few seconds.
 */
async function measure(
  ctx: BenchContext,
  opts: {
    label: string;
    planned: readonly PlannedDelay[];
    stack: ServiceStack;
    producer: Producer;
    target: string;
    releases: ReleaseWatcher;
  },
): Promise<{
  load: DelayedProduceStats;
  complete: boolean;
  processes: ProcessUsage[];
  machineBusyPercent: number | null;
  dlqReleasing: ProcessUsage | null;
}> {
  const { settings } = ctx;
  const { releases, label } = opts;
  const expected = opts.planned.length;
  const dlq = opts.stack.processes();
  const sampler = startSampler([...dlq, ...infraProcesses(ctx.root)], settings.sampleEveryMs);
  let releasing: ReturnType<typeof startSampler> | undefined;
  const firstRelease = setInterval(() => {
    if (!releasing && releases.distinct() > 0) releasing = startSampler(dlq, settings.sampleEveryMs);
  }, 20);
  let produced = 0;
  const progress = startProgress(
    label,
    settings.progressEveryMs,
    () => ({ accepted: produced, failed: 0, delivered: releases.distinct(), expected }),
    ctx.print,
    { accepted: 'produced', delivered: 'released' },
  );
  try {
    const load = await produceDelayed(
      {
        producer: opts.producer,
        topics: opts.stack.topics,
        tiers: TIERS,
        target: opts.target,
        planned: opts.planned,
        batch: settings.produceBatch,
      },
      (count) => (produced += count),
    );
    // A stall counts from the last due time: before it, a quiet target is the engine waiting.
    let seen = releases.distinct();
    let lastChange = Math.max(Date.now(), load.lastDueAt);
    while (releases.distinct() < expected && Date.now() - lastChange < settings.stallMs) {
      await new Promise((r) => setTimeout(r, 100));
      if (releases.distinct() !== seen) {
        seen = releases.distinct();
        lastChange = Math.max(Date.now(), load.lastDueAt);
      }
    }
    const complete = releases.distinct() >= expected;
    if (!complete)
      ctx.print(
        `  [${label}] stopped after ${settings.stallMs / 1000} s without a release: ${releases.distinct()}/${expected} released`,
      );
    if (releases.foreign() > 0)
      ctx.print(`  [${label}] ${releases.foreign()} records on the target without the bench's headers`);
    return {
      load,
      complete,
      machineBusyPercent: sampler.machineBusyPercent(),
      processes: sampler.stop(),
      dlqReleasing: releasing?.stop()[0] ?? null,
    };
  } finally {
    clearInterval(firstRelease);
    progress.stop();
    sampler.stop();
    releasing?.stop();
  }
}
