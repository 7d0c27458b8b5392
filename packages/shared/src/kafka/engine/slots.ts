/** Gives the slot back; calling it twice is harmless. */
export type Release = () => void;

export interface Slots {
  /** Resolves with a slot, or with null when `signal` aborts first. */
  acquire(lane: number, signal?: AbortSignal): Promise<Release | null>;
  readonly inUse: number;
  readonly waiting: number;
}

interface Waiter {
  /** False once granted or given up: left in its queue and skipped (removing it would cost O(n)). */
  live: boolean;
  grant(release: Release): void;
}

/** A FIFO with O(1) push and shift (fetched batches put thousands of records in line at once). */
class Queue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  push(item: T) {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * A counting semaphore that favours higher lanes (index 0 = critical, DESIGN.md §2.3): a freed slot
 * goes to the oldest record of the highest lane in line, a lane gets none while a higher lane has
 * records in line, and no lower lane starts a record while a critical one is in hand (critical is a
 * trickle: the process's CPU is its own once the records in flight finish). The last `reserve`
 * slots are only for critical, so a backlog never holds every slot a critical record could use.
 */
export function prioritySlots(limit: number, reserve = Math.max(1, Math.floor(limit / 10))): Slots {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`slot limit must be a positive integer, got ${limit}`);
  const effectiveReserve = Math.min(reserve, limit - 1);
  let inUse = 0;
  let waiting = 0;
  const queues: Queue<Waiter>[] = [];
  const inUseByLane: number[] = [];

  const fits = (lane: number) => inUse < (lane === 0 ? limit : limit - effectiveReserve);

  const release = (lane: number): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse--;
      inUseByLane[lane] = (inUseByLane[lane] ?? 1) - 1;
      grantNext();
    };
  };

  /** The oldest live waiter of a lane, dropping the ones that gave up. */
  const head = (q: Queue<Waiter>) => {
    let w = q.peek();
    while (w && !w.live) {
      q.shift();
      w = q.peek();
    }
    return w;
  };

  const grantNext = () => {
    for (let lane = 0; lane < Math.max(queues.length, inUseByLane.length); lane++) {
      const q = queues[lane];
      for (let w = q && head(q); q && w && fits(lane); w = head(q)) {
        q.shift();
        w.live = false;
        waiting--;
        inUse++;
        inUseByLane[lane] = (inUseByLane[lane] ?? 0) + 1;
        w.grant(release(lane));
      }
      // A lane with records in line holds back the lanes below it; critical does while it has any
      // in hand too (it is a trickle, and the process's CPU should be its own meanwhile).
      if ((q && head(q)) || (lane === 0 && (inUseByLane[0] ?? 0) > 0)) return;
    }
  };

  return {
    get inUse() {
      return inUse;
    },
    get waiting() {
      return waiting;
    },
    acquire(lane, signal) {
      if (signal?.aborted) return Promise.resolve(null);
      return new Promise((resolve) => {
        const onAbort = () => {
          if (!waiter.live) return;
          waiter.live = false;
          waiting--;
          resolve(null);
        };
        const waiter: Waiter = {
          live: true,
          grant: (r) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(r);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        while (queues.length <= lane) queues.push(new Queue());
        queues[lane]?.push(waiter);
        waiting++;
        grantNext();
      });
    },
  };
}
