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
 */
export function createWaits(log: Logger, policy: WaitPolicy = DEFAULT_WAIT): Waits {
  let waitingOnDependency = 0;
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
            return { kind: 'ok', value: await work() };
          } catch (e) {
            const err = classifyError(e);
            if (err.disposition !== 'wait') return { kind: 'failed', error: err };
            if (!counted && err.code === 'dependency_unavailable') {
              counted = true;
              waitingOnDependency++;
            }
            note(err);
            if (!(await sleep(waitDelay(n, policy), signal))) return { kind: 'aborted' };
          }
        }
      } finally {
        if (counted) waitingOnDependency--;
      }
    },
  };
}
