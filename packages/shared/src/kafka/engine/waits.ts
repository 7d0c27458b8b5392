import { classifyError } from '../../errors';
import type { HeraldError } from '../../errors';
import type { Logger } from '../../logger';
import type { ReadinessCheck } from '../../ops-server';
import { DEFAULT_WAIT, sleep, waitDelay } from './backoff';
import type { WaitPolicy } from './backoff';

export type Attempt<T> =
  { kind: 'ok'; value: T } | { kind: 'failed'; error: HeraldError } | { kind: 'aborted' };

export interface Waits {
  /**
   * Runs `work` until it succeeds or fails with an error whose disposition is not `wait`; between
   * tries it waits with exponential backoff. Once `signal` aborts it tries no more (`aborted`).
   */
  retry<T>(signal: AbortSignal, work: () => Promise<T>): Promise<Attempt<T>>;
  /** Not ready while any record is waiting for a dependency (Postgres, Redis, Kafka, the registry). */
  readiness(name: string): ReadinessCheck;
  readonly waitingOnDependency: number;
}

/**
 * Waiting in place (the `wait` disposition): the record keeps its place, its batch stays open so
 * kafkajs fetches nothing more for it, the batch keeps heartbeating, and no consumer crashes or
 * rejoins its group. Readiness is false while a dependency is awaited. Logs at most every 10 s.
 * Once one record gets through after waiting, the others waiting are woken to try again at once,
 * so the end of an outage is noticed within one backoff step of the first try, not of each.
 */
export function createWaits(log: Logger, policy: WaitPolicy = DEFAULT_WAIT): Waits {
  let waitingOnDependency = 0;
  /** Sleeping records: the first one to get through after a wait wakes the others (the outage is over). */
  const sleepers = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of sleepers) wake();
    sleepers.clear();
  };
  const nap = async (ms: number, signal: AbortSignal): Promise<boolean> => {
    const woken = new AbortController();
    const wake = () => woken.abort();
    sleepers.add(wake);
    const onAbort = () => woken.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await sleep(ms, woken.signal);
    } finally {
      sleepers.delete(wake);
      signal.removeEventListener('abort', onAbort);
    }
    return !signal.aborted;
  };
  let lastLog = 0;
  const note = (err: HeraldError) => {
    const now = Date.now();
    if (now - lastLog < 10_000) return;
    lastLog = now;
    log.warn(
      { code: err.code, reason: err.message, waiting: waitingOnDependency },
      'waiting in place, will retry',
    );
  };

  return {
    get waitingOnDependency() {
      return waitingOnDependency;
    },
    readiness: (name) => ({ name, check: () => Promise.resolve(waitingOnDependency === 0) }),
    async retry(signal, work) {
      let counted = false;
      try {
        // The first try always runs (work already under way finishes); only waiting stops on abort.
        for (let n = 1; ; n++) {
          try {
            const value = await work();
            if (n > 1) wakeAll();
            return { kind: 'ok', value };
          } catch (e) {
            // Stopped (a rebalance, a shutdown): the record is left for whoever owns it next.
            if (signal.aborted) return { kind: 'aborted' };
            const err = classifyError(e);
            if (err.disposition !== 'wait') return { kind: 'failed', error: err };
            if (!counted && err.code === 'dependency_unavailable') {
              counted = true;
              waitingOnDependency++;
            }
            note(err);
            if (!(await nap(waitDelay(n, policy), signal))) return { kind: 'aborted' };
          }
        }
      } finally {
        if (counted) waitingOnDependency--;
      }
    },
  };
}
