/** What a lane gate needs of a consumer: kafkajs's pause and resume of its topics. */
export interface Pausable {
  pause(topics: { topic: string }[]): void;
  resume(topics: { topic: string }[]): void;
}

export interface LaneGate {
  /** Wraps a handler call of lane `index` (0 = highest): lower lanes wait while it runs. */
  run<T>(index: number, work: () => Promise<T>): Promise<T>;
  stop(): void;
}

/**
 * Favours higher lanes (DESIGN.md §2.3): while any record of a lane is being handled, every lower
 * lane's consumer is paused, and it resumes once the higher lanes have been idle for `settleMs`
 * (so a steady stream of critical records does not toggle the lower lanes on every record).
 * Lanes are given highest first: index 0 is `critical`.
 */
export function laneGate(
  lanes: { consumer: Pausable; topics: string[] }[],
  settleMs = 50,
  timers: { set: typeof setTimeout; clear: typeof clearTimeout } = { set: setTimeout, clear: clearTimeout },
): LaneGate {
  const inFlight = lanes.map(() => 0);
  const paused = lanes.map(() => false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  /** The highest lane with work, or lanes.length when all are idle. */
  const busiest = () => {
    const i = inFlight.findIndex((n) => n > 0);
    return i === -1 ? lanes.length : i;
  };
  const apply = (highestBusy: number) => {
    lanes.forEach((lane, i) => {
      const shouldPause = !stopped && i > highestBusy;
      if (shouldPause === paused[i]) return;
      const topics = lane.topics.map((topic) => ({ topic }));
      try {
        if (shouldPause) lane.consumer.pause(topics);
        else lane.consumer.resume(topics);
        paused[i] = shouldPause;
      } catch {
        // kafkajs refuses before that lane's consumer runs (start-up): the next change tries again.
      }
    });
  };
  const settle = () => {
    if (timer) timers.clear(timer);
    timer = timers.set(() => {
      timer = undefined;
      apply(busiest());
    }, settleMs);
    if (typeof timer === 'object' && 'unref' in timer) timer.unref();
  };

  return {
    async run(index, work) {
      inFlight[index] = (inFlight[index] ?? 0) + 1;
      if (timer) {
        timers.clear(timer);
        timer = undefined;
      }
      apply(busiest());
      try {
        return await work();
      } finally {
        inFlight[index] = (inFlight[index] ?? 1) - 1;
        settle();
      }
    },
    stop() {
      stopped = true;
      if (timer) timers.clear(timer);
      apply(lanes.length);
    },
  };
}
