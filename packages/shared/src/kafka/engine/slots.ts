/** Gives the slot back; calling it twice is harmless. */
export type Release = () => void;

export interface Slots {
  /** Resolves with a slot, or with null when `signal` aborts first. */
  acquire(lane: number, signal?: AbortSignal): Promise<Release | null>;
  readonly inUse: number;
  readonly waiting: number;
}

interface Waiter {
  lane: number;
  grant(release: Release | null): void;
}

/**
 * A counting semaphore that favours higher lanes (index 0 = critical): a freed slot goes to the
 * highest lane waiting, and the last `reserve` slots are only for lane 0, so a backlog on a lower
 * lane never takes every slot a critical record could use (DESIGN.md §2.3).
 */
export function prioritySlots(limit: number, reserve = Math.max(1, Math.floor(limit / 10))): Slots {
  if (!Number.isInteger(limit) || limit < 1)
    throw new Error(`slot limit must be a positive integer, got ${limit}`);
  const effectiveReserve = Math.min(reserve, limit - 1);
  let inUse = 0;
  const waiters: Waiter[] = [];

  const fits = (lane: number) => inUse < (lane === 0 ? limit : limit - effectiveReserve);

  const release = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inUse--;
      grantNext();
    };
  };

  const grantNext = () => {
    while (waiters.length > 0) {
      let best = -1;
      for (let i = 0; i < waiters.length; i++) {
        const w = waiters[i];
        if (w && fits(w.lane) && (best === -1 || w.lane < (waiters[best]?.lane ?? Infinity))) best = i;
      }
      if (best === -1) return;
      const [w] = waiters.splice(best, 1);
      inUse++;
      w?.grant(release());
    }
  };

  return {
    get inUse() {
      return inUse;
    },
    get waiting() {
      return waiters.length;
    },
    acquire(lane, signal) {
      if (signal?.aborted) return Promise.resolve(null);
      return new Promise((resolve) => {
        const waiter: Waiter = {
          lane,
          grant: (r) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(r);
          },
        };
        const onAbort = () => {
          const i = waiters.indexOf(waiter);
          if (i !== -1) waiters.splice(i, 1);
          resolve(null);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
        grantNext();
      });
    },
  };
}
