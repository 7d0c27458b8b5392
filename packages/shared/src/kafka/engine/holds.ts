/**
 * Partitions paused until a record is due (the delay tiers, DESIGN.md §4). A batch whose records
 * are not due yet must not be held open: kafkajs fetches nothing more, on any partition of the
 * consumer, until every batch of the last fetch has ended. So the engine handles what is due within
 * the horizon, pauses the partition while anything else in the batch is not, and ends the batch; a
 * timer per partition resumes it shortly before the earliest of those is due, and kafkajs fetches
 * them again from the last resolved offset. No polling: a paused partition costs a timer, heartbeats go on, and
 * the other partitions and tiers keep flowing.
 */
export interface Holds {
  /** Records due within this many ms are handled in the batch, each waiting out its own hold. */
  readonly horizonMs: number;
  /** Pauses a partition (kafkajs's `pause()`, which returns its resume) until `resumeAt`. */
  pauseUntil(partitionKey: string, resumeAt: number, pause: () => () => void): void;
  /** Partitions paused right now, waiting for a record to be due. */
  readonly paused: number;
  /**
   * Records handled ahead of one before them that is still held: their offsets cannot be resolved
   * yet, so the partition's next fetch brings them again, and they must not be handled twice. Kept
   * in memory until the partition's resolved offset passes them; after a crash or a rebalance they
   * are handled again (at least once: dispatchers' delivery keys keep a second send out).
   */
  isDone(partitionKey: string, offset: string): boolean;
  markDone(partitionKey: string, offset: string): void;
  /** The partition's offsets up to `resolved` need no remembering any more. */
  forget(partitionKey: string, resolved: string): void;
  /** Cancels every timer (on stop): nothing resumes a consumer that is leaving. */
  clear(): void;
}

export function createHolds(horizonMs: number, clock: () => number = Date.now): Holds {
  const timers = new Map<string, NodeJS.Timeout>();
  const done = new Map<string, Set<string>>();
  return {
    horizonMs,
    isDone: (partitionKey, offset) => done.get(partitionKey)?.has(offset) ?? false,
    markDone(partitionKey, offset) {
      let offsets = done.get(partitionKey);
      if (!offsets) done.set(partitionKey, (offsets = new Set()));
      offsets.add(offset);
    },
    forget(partitionKey, resolved) {
      const offsets = done.get(partitionKey);
      if (!offsets) return;
      const upTo = BigInt(resolved);
      for (const offset of offsets) if (BigInt(offset) <= upTo) offsets.delete(offset);
      if (offsets.size === 0) done.delete(partitionKey);
    },
    get paused() {
      return timers.size;
    },
    pauseUntil(partitionKey, resumeAt, pause) {
      const resume = pause();
      clearTimeout(timers.get(partitionKey));
      timers.set(
        partitionKey,
        setTimeout(
          () => {
            timers.delete(partitionKey);
            resume();
          },
          Math.max(0, resumeAt - clock()),
        ),
      );
    },
    clear() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      done.clear();
    },
  };
}
