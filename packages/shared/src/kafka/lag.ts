import type { Admin } from 'kafkajs';
import type { Gauge } from 'prom-client';
import { partitionBacklog } from '../domain/kafka-lag';
import type { Logger } from '../logger';
import type { ConsumerGroupSpec } from './consumer';

export interface LagReporter {
  admin: Admin;
  gauge: Gauge<'group' | 'topic'>;
  intervalMs: number;
  log: Logger;
  /**
   * For topics where waiting is by design (the delay tiers): how long the oldest waiting record of a
   * partition has stood at its head beyond what the topic allows (`allowanceMs`; undefined for a
   * topic without a bound). 0 while the consumer keeps up, growing when it is stuck.
   */
  overdue?: { gauge: Gauge<'group' | 'topic'>; allowanceMs: (topic: string) => number | undefined };
}

/** One partition of a group: the offset it goes on from, and the records behind the end. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** The committed offset, or the log start when nothing is committed yet. */
  from: number;
  lag: number;
}

/** End offset minus committed, per partition of each of the group's topics. */
export async function partitionLag(admin: Admin, spec: ConsumerGroupSpec): Promise<PartitionLag[]> {
  const out: PartitionLag[] = [];
  const committed = await admin.fetchOffsets({ groupId: spec.groupId, topics: spec.topics });
  for (const { topic, partitions } of committed) {
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const done = partitions.find((p) => p.partition === end.partition)?.offset;
      const { from, lag } = partitionBacklog(done, end);
      out.push({ topic, partition: end.partition, from, lag });
    }
  }
  return out;
}

/** Messages behind the end of each topic for one group. */
export async function groupLag(admin: Admin, spec: ConsumerGroupSpec): Promise<Map<string, number>> {
  const lag = new Map<string, number>(spec.topics.map((t) => [t, 0]));
  for (const p of await partitionLag(admin, spec)) lag.set(p.topic, (lag.get(p.topic) ?? 0) + p.lag);
  return lag;
}

/**
 * Since when each partition's committed offset has stood still with records behind it, from
 * successive samples: a partition whose head moved, or that has nothing waiting, starts again at 0.
 */
export function stallTracker(): { observe(key: string, from: number, lag: number, now: number): number } {
  const heads = new Map<string, { from: number; since: number }>();
  return {
    observe(key, from, lag, now) {
      const head = heads.get(key);
      if (lag <= 0) {
        heads.delete(key);
        return 0;
      }
      if (!head || head.from !== from) {
        heads.set(key, { from, since: now });
        return 0;
      }
      return now - head.since;
    },
  };
}

/**
 * One sample of the given groups' lag into the reporter's gauges: the lag per group and topic, and
 * where the reporter has an overdue gauge, how long past its allowance the stillest partition of
 * each such topic has stood (stillness kept across samples).
 */
export function lagSampler(
  reporter: LagReporter,
  groups: ConsumerGroupSpec[],
): (now: number) => Promise<void> {
  const stalls = stallTracker();
  return async (now) => {
    for (const spec of groups) {
      const lag = new Map<string, number>(spec.topics.map((t) => [t, 0]));
      const overdue = new Map<string, number>();
      for (const p of await partitionLag(reporter.admin, spec)) {
        lag.set(p.topic, (lag.get(p.topic) ?? 0) + p.lag);
        const allowance = reporter.overdue?.allowanceMs(p.topic);
        if (allowance === undefined) continue;
        const still = stalls.observe(`${spec.groupId}\0${p.topic}\0${p.partition}`, p.from, p.lag, now);
        overdue.set(p.topic, Math.max(overdue.get(p.topic) ?? 0, still - allowance, 0));
      }
      for (const [topic, n] of lag) reporter.gauge.set({ group: spec.groupId, topic }, n);
      for (const [topic, ms] of overdue)
        reporter.overdue?.gauge.set({ group: spec.groupId, topic }, ms / 1000);
    }
  };
}

/**
 * Feeds `herald_consumer_lag{group,topic}` (or the gauge given: the autoscaler's and the
 * dashboards' signal) every interval for the given groups, and the overdue gauge where one is
 * given. Failures are logged at debug and retried on the next tick.
 */
export function reportLag(reporter: LagReporter, groups: ConsumerGroupSpec[]): () => void {
  let running = false;
  const sample = lagSampler(reporter, groups);
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sample(Date.now());
    } catch (err) {
      reporter.log.debug({ err }, 'could not read consumer lag');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), reporter.intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
