/**
 * Partitions paused until a record is due (the delay tiers, DESIGN.md §4). A batch whose records
 * are not due yet must not be held open: kafkajs fetches nothing more, on any partition of the
 * consumer, until every batch of the last fetch has ended. So the engine handles what is due within
 * the horizon, pauses the partition at the first record that is not, and ends the batch; a timer
 * per partition resumes it shortly before that record is due, and kafkajs fetches it again from
 * the last resolved offset. No polling: a paused partition costs a timer, heartbeats go on, and
 * the other partitions and tiers keep flowing.
 */
export interface Holds {
  /** Records due within this many ms are handled in the batch, each waiting out its own hold. */
  readonly horizonMs: number;
  /** Pauses a partition (kafkajs's `pause()`, which returns its resume) until `resumeAt`. */
  pauseUntil(partitionKey: string, resumeAt: number, pause: () => () => void): void;
  /** Partitions paused right now, waiting for a record to be due. */
  readonly paused: number;
  /** Cancels every timer (on stop): nothing resumes a consumer that is leaving. */
  clear(): void;
}

export function createHolds(horizonMs: number, clock: () => number = Date.now): Holds {
  const timers = new Map<string, NodeJS.Timeout>();
  return {
    horizonMs,
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
    },
  };
}
