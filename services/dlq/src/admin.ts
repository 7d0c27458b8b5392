import { isDelayTarget } from '@herald/shared';
import type { Codec, Logger, Pool, Publisher, Registry, TopicNames } from '@herald/shared';
import type { DeadLetterStore } from './adapters/dead-letters';
import { pgReplayJobs } from './adapters/replay-jobs';
import type { AdminServices } from './app';
import { createLetterActions } from './letter-actions';
import { createAdminMetrics } from './metrics';
import { createReplayJobs } from './replay-jobs';
import type { ReplayJobDeps } from './replay-jobs';

export interface AdminDeps {
  pool: Pool;
  publisher: Publisher;
  codec: Pick<Codec, 'decode'>;
  topics: TopicNames;
  registry: Registry;
  log: Logger;
  clock?: () => number;
}

/**
 * The services behind the admin API's actions, on the runtime's clients; its metrics go into the
 * runtime's registry. `jobOptions` tune bulk replays (chunk size, waits), for tests.
 */
export function createAdminServices(
  deps: AdminDeps,
  deadLetters: DeadLetterStore,
  jobOptions: Pick<ReplayJobDeps, 'chunkSize' | 'retryDelayMs'> = {},
): AdminServices {
  const metrics = createAdminMetrics(deps.registry, () => deadLetters.oldestParkedAt());
  const common = {
    publisher: deps.publisher,
    topics: deps.topics,
    // A replay goes only where the delay engine may release to: a priority or channel topic.
    isTarget: (topic: string) => isDelayTarget(deps.topics, topic),
    clock: deps.clock ?? Date.now,
    log: deps.log,
    metrics,
  };
  return {
    letters: createLetterActions({ ...common, store: deadLetters, codec: deps.codec }),
    replays: createReplayJobs({ ...common, jobs: pgReplayJobs(deps.pool), ...jobOptions }),
  };
}
