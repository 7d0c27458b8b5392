import { delayedRecord } from '@herald/shared';
import type { Producer, Tier, TopicNames } from '@herald/shared';

/** Headers the bench adds to (e)'s records and reads back on the target (the engine keeps them). */
export const SEQ_HEADER = 'bench-seq';
export const DUE_HEADER = 'bench-due-at';

/** One record of (e): its key, and when it falls due, in ms after production starts. */
export interface PlannedDelay {
  seq: number;
  key: string;
  dueAfterMs: number;
}

/** `count` records keyed by one of `keys` users, due `dueAfterMs(seq)` after production starts. */
export function planDelayed(opts: {
  count: number;
  keys: number;
  rand: () => number;
  dueAfterMs: (seq: number) => number;
}): PlannedDelay[] {
  return Array.from({ length: opts.count }, (_, seq) => ({
    seq,
    key: `user-${Math.floor(opts.rand() * opts.keys)}`,
    dueAfterMs: opts.dueAfterMs(seq),
  }));
}

export interface DelayedProduceStats {
  startedAt: number;
  endedAt: number;
  /** The latest due time of all. */
  lastDueAt: number;
  /** Records acknowledged by Kafka only after their due time: part of their lateness is the bench's. */
  producedAfterDue: number;
}

/**
 * Hands the records to the delay engine as any Herald service does (`delayedRecord`: the tier that
 * fits the wait, due-at and target-topic headers), in `sendBatch` calls of `batch` records, one
 * after the other, from an idempotent producer with acks=all. Due times count from the first call.
 */
export async function produceDelayed(
  opts: {
    producer: Producer;
    topics: Pick<TopicNames, 'delay'>;
    tiers: readonly Tier[];
    target: string;
    planned: readonly PlannedDelay[];
    batch: number;
  },
  onProduced: (count: number) => void,
): Promise<DelayedProduceStats> {
  const startedAt = Date.now();
  let producedAfterDue = 0;
  let lastDueAt = startedAt;
  for (let i = 0; i < opts.planned.length; i += opts.batch) {
    const slice = opts.planned.slice(i, i + opts.batch);
    const now = Date.now();
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    const dues: number[] = [];
    for (const p of slice) {
      const dueAt = startedAt + p.dueAfterMs;
      dues.push(dueAt);
      lastDueAt = Math.max(lastDueAt, dueAt);
      const value = Buffer.from(JSON.stringify({ seq: p.seq, user: p.key, kind: 'bench-delay' }));
      const { record } = delayedRecord(
        opts.topics,
        opts.tiers,
        { key: p.key, value, headers: { [SEQ_HEADER]: String(p.seq), [DUE_HEADER]: String(dueAt) } },
        opts.target,
        dueAt,
        now,
      );
      const list = byTopic.get(record.topic) ?? [];
      list.push({ key: p.key, value, headers: record.headers ?? {} });
      byTopic.set(record.topic, list);
    }
    await opts.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    const ackedAt = Date.now();
    producedAfterDue += dues.filter((d) => d < ackedAt).length;
    onProduced(slice.length);
  }
  return { startedAt, endedAt: Date.now(), lastDueAt, producedAfterDue };
}
