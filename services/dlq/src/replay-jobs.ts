import { randomUUID } from 'node:crypto';
import { classifyError } from '@herald/shared';
import type { Counter, Logger, OutboundRecord, Publisher, TopicNames } from '@herald/shared';
import { replayRefusal } from './domain/dead-letter';
import { CHUNK_TRIES, REPLAY_CHUNK, chunkRetryDelayMs } from './domain/replay-job';
import type { ReplaySelection } from './domain/replay-job';
import type { StoredDeadLetter } from './adapters/dead-letters';
import type { ChunkResult, ReplayJob, ReplayJobStore } from './adapters/replay-jobs';
import { replayRecords } from './operator-records';
import type { Principal } from './letter-actions';

export interface ReplayJobDeps {
  jobs: ReplayJobStore;
  publisher: Publisher;
  topics: Pick<TopicNames, 'status'>;
  /** Whether a replay may write to a topic: a priority or channel topic. */
  isTarget: (topic: string) => boolean;
  clock: () => number;
  log: Logger;
  metrics: { replayed: Counter<'channel'> };
  chunkSize?: number;
  /** The wait before try n + 1 of a chunk that Kafka or Postgres could not take. */
  retryDelayMs?: (n: number) => number;
}

export interface ReplayJobs {
  /** Records a bulk replay and runs it in the background (here, or after a restart). */
  start(selection: ReplaySelection, by: Principal): Promise<ReplayJob>;
  get(id: string): Promise<ReplayJob | null>;
  /** Runs the jobs a stopped process left running; returns their ids. */
  resume(): Promise<string[]>;
  /** Resolves when this process's run of the job has ended (at once when none is under way). */
  settled(id: string): Promise<void>;
  /** Stops every job between chunks (they stay running, for the next start) and waits for them. */
  stop(): Promise<void>;
}

/**
 * Bulk replays, a chunk at a time: each chunk's letters are locked, checked, produced in one
 * publish and marked replayed in one transaction, with the job's progress. A letter is replayed
 * only while still parked, and the job's position moves only with a committed chunk, so a job
 * resumed after a restart (or run by two processes) never replays a letter twice.
 */
export function createReplayJobs(deps: ReplayJobDeps): ReplayJobs {
  const size = deps.chunkSize ?? REPLAY_CHUNK;
  const delay = deps.retryDelayMs ?? chunkRetryDelayMs;
  const runs = new Map<string, Promise<void>>();
  const wakers = new Set<() => void>();
  let stopping = false;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  /** Publishes a chunk; when Kafka refuses it for its content, each letter on its own. */
  const replayChunk = async (letters: StoredDeadLetter[], job: ReplayJob): Promise<ChunkResult> => {
    const replayable = letters.filter(
      (l) => !replayRefusal({ ...l, hasPayload: (l.payload?.length ?? 0) > 0 }, deps.isTarget),
    );
    const skipped = letters.length - replayable.length;
    const actor = { name: job.createdBy.name, jobId: job.id };
    const recordsOf = (l: StoredDeadLetter): OutboundRecord[] =>
      replayRecords(deps.topics, l, actor, deps.clock());
    try {
      await deps.publisher.publish(replayable.flatMap(recordsOf));
      return { replayed: replayable, skipped, failed: 0 };
    } catch (err) {
      if (classifyError(err).disposition === 'wait') throw err;
    }
    const results = await Promise.allSettled(replayable.map((l) => deps.publisher.publish(recordsOf(l))));
    const outage = results.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' && classifyError(r.reason).disposition === 'wait',
    );
    if (outage) throw outage.reason;
    const replayed = replayable.filter((_, i) => results[i]?.status === 'fulfilled');
    return { replayed, skipped, failed: replayable.length - replayed.length };
  };

  const run = async (id: string): Promise<void> => {
    let tries = 0;
    while (!stopping) {
      let inHand = 0;
      try {
        const step = await deps.jobs.nextChunk(id, size, (letters, job) => {
          inHand = letters.length;
          return replayChunk(letters, job);
        });
        tries = 0;
        if (step.kind === 'again') continue;
        if (step.kind !== 'chunk') {
          if (step.kind === 'finished') deps.log.info({ jobId: id }, 'replay job done');
          return;
        }
        for (const l of step.result.replayed) deps.metrics.replayed.inc({ channel: l.channel ?? 'none' });
      } catch (err) {
        const e = classifyError(err);
        tries += 1;
        if (e.disposition === 'wait' && tries < CHUNK_TRIES) {
          deps.log.warn(
            { jobId: id, code: e.code, err: e.message, tries },
            'replay chunk not done, trying again',
          );
          await pause(delay(tries));
          continue;
        }
        deps.log.error({ jobId: id, code: e.code, err: e.message }, 'replay job failed');
        await deps.jobs.fail(id, `${e.code}: ${e.message}`, inHand).catch((failErr: unknown) => {
          // The job stays running and is resumed at the next start.
          deps.log.error({ jobId: id, err: classifyError(failErr).message }, 'replay job not marked failed');
        });
        return;
      }
    }
  };

  const launch = (id: string): void => {
    if (stopping || runs.has(id)) return;
    const running = run(id)
      .catch((err: unknown) =>
        deps.log.error({ jobId: id, err: classifyError(err).message }, 'replay job crashed'),
      )
      .finally(() => runs.delete(id));
    runs.set(id, running);
  };

  return {
    async start(selection, by) {
      const job = await deps.jobs.create(randomUUID(), selection, { name: by.name, keyId: by.keyId });
      if (job.status === 'running') launch(job.id);
      deps.log.info({ jobId: job.id, count: job.count, by: by.name }, 'replay job created');
      return job;
    },
    get: (id) => deps.jobs.get(id),
    async resume() {
      const ids = await deps.jobs.running();
      for (const id of ids) launch(id);
      if (ids.length > 0) deps.log.info({ jobs: ids }, 'replay jobs resumed');
      return ids;
    },
    settled: async (id) => {
      await runs.get(id);
    },
    async stop() {
      stopping = true;
      for (const wake of [...wakers]) wake();
      await Promise.all(runs.values());
    },
  };
}
