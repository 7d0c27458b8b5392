import type { Admin } from 'kafkajs';
import type { Gauge } from 'prom-client';
import type { Logger } from '../logger';
import type { ConsumerGroupSpec } from './consumer';

export interface LagReporter {
  admin: Admin;
  gauge: Gauge<'group' | 'topic'>;
  intervalMs: number;
  log: Logger;
}

/** Messages behind the end of each topic for one group: end offset minus committed, per partition. */
export async function groupLag(admin: Admin, spec: ConsumerGroupSpec): Promise<Map<string, number>> {
  const lag = new Map<string, number>();
  const committed = await admin.fetchOffsets({ groupId: spec.groupId, topics: spec.topics });
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    let total = 0;
    for (const end of ends) {
      const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      // Nothing committed yet: the group starts at the beginning, so all that is there is lag.
      const from = Number(done) >= 0 ? Number(done) : Number(end.low);
      total += Math.max(0, Number(end.high) - from);
    }
    lag.set(topic, total);
  }
  return lag;
}

/**
 * Feeds `herald_consumer_lag{group,topic}` every interval for the given groups (the autoscaler's
 * and the dashboards' signal). Failures are logged at debug and retried on the next tick.
 */
export function reportLag(reporter: LagReporter, groups: ConsumerGroupSpec[]): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      for (const spec of groups) {
        for (const [topic, lag] of await groupLag(reporter.admin, spec)) {
          reporter.gauge.set({ group: spec.groupId, topic }, lag);
        }
      }
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
