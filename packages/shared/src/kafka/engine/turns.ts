import { performance } from 'node:perf_hooks';

/** The lane asked for when a caller does not say: below every real one. */
const UNLANED = Number.MAX_SAFE_INTEGER;

/** Ends long turns of the event loop: see `turnKeeper`. */
export interface TurnKeeper {
  /**
   * Undefined while the current turn may go on; otherwise a promise that resolves when the caller
   * may go on, on a later turn. Await it once: the keeper does the re-checking.
   */
  ask(lane?: number): Promise<void> | undefined;
}

/**
 * Work that needs no I/O runs as one chain of microtasks: a record's slot, freed, starts the next
 * record at once; replies that land together (a produce ack for a thousand records, a Redis
 * reply for a hundred claims) resume every waiter in one go. Nothing else runs meanwhile, so a
 * critical record's fetch, ack or provider reply sat a second behind work of the low lane.
 *
 * A keeper gives each turn of the loop `budgetMs` of such work. Once it is spent, callers wait for
 * a later turn (`setImmediate`, after the loop's I/O callbacks). There they resume one at a time,
 * highest lane first: each runs up to its next `await` before the next one is woken, and once the
 * budget is spent again the rest wait for another turn. Critical (lane 0) goes on until five
 * budgets are spent, so a critical record does not wait a turn at every step behind a backlog, but
 * a flood of critical work still lets the loop breathe.
 *
 * The start of a turn is not observable, so the budget counts from the last time waiters resumed:
 * the first call after an idle spell waits once, which costs one pass of the loop.
 */
export function turnKeeper(budgetMs: number, now: () => number = () => performance.now()): TurnKeeper {
  let since = now();
  const queues: (() => void)[][] = [];
  let waiting = 0;
  let scheduled = false;

  const spent = (lane: number) => now() - since >= (lane === 0 ? 5 * budgetMs : budgetMs);

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      since = now();
      wakeNext();
    });
  };

  /** Wakes the first waiter of the highest lane; the next is woken after its continuation ran. */
  const wakeNext = () => {
    const lane = queues.findIndex((q) => q.length > 0);
    if (lane < 0) return;
    if (spent(lane)) {
      schedule();
      return;
    }
    const wake = queues[lane]?.shift();
    waiting--;
    wake?.();
    // Queued after the woken caller's continuation, so it runs once that reached its next await.
    queueMicrotask(wakeNext);
  };

  return {
    ask(lane = UNLANED) {
      // Others in line go first, except for critical.
      if (!spent(lane) && (waiting === 0 || lane === 0)) return undefined;
      return new Promise<void>((resolve) => {
        const index = Math.min(lane, 4);
        while (queues.length <= index) queues.push([]);
        queues[index]?.push(resolve);
        waiting++;
        schedule();
      });
    },
  };
}

/** The process's keeper: the event loop is one per process, so its turns are too. */
const processTurns = turnKeeper(10);

/**
 * Await it between pieces of CPU work (a record's handling, a decode, a provider call): ends the
 * event loop's turn once it has run 10 ms, so sockets are read; higher lanes resume first.
 */
export function yieldTurn(lane?: number): Promise<void> | undefined {
  return processTurns.ask(lane);
}
