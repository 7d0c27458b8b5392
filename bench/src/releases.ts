import { headerString } from '@herald/shared';
import type { Kafka } from '@herald/shared';
import type { Release } from './delay-stats';
import { DUE_HEADER, SEQ_HEADER } from './load/delayed';

/** What the bench reads back from (e)'s target topic while the delay engine releases into it. */
export interface ReleaseWatcher {
  /** Every record read, in the order read (a rebalance may read some twice). */
  readonly read: Release[];
  /** Distinct records (by the bench's seq) read so far. */
  distinct(): number;
  /** Records on the target without the bench's headers: someone else wrote there. */
  foreign(): number;
  stop(): Promise<void>;
}

/**
 * Reads `topic` from the beginning. Commits nothing, so its group (under the stack's prefix) holds
 * no offsets and is gone once it leaves.
 */
export async function watchReleases(kafka: Kafka, topic: string, groupId: string): Promise<ReleaseWatcher> {
  const read: Release[] = [];
  const seqs = new Set<number>();
  let foreign = 0;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        for (const m of batch.messages) {
          const seq = Number(headerString(m.headers, SEQ_HEADER));
          const dueAt = Number(headerString(m.headers, DUE_HEADER));
          if (!Number.isInteger(seq) || !Number.isFinite(dueAt)) {
            foreign++;
            continue;
          }
          seqs.add(seq);
          read.push({
            partition: batch.partition,
            offset: Number(m.offset),
            seq,
            dueAt,
            releasedAt: Number(m.timestamp),
          });
        }
        await payload.heartbeat();
      },
    });
  } catch (err) {
    await consumer.disconnect().catch(() => undefined);
    throw err;
  }
  return {
    read,
    distinct: () => seqs.size,
    foreign: () => foreign,
    stop: () => consumer.disconnect(),
  };
}
