import type { Channel } from '@herald/shared/domain';

/** Letters a bulk replay takes at once: one query, one publish and one update each. */
export const REPLAY_CHUNK = 500;
/** Ids one bulk replay may name. */
export const MAX_REPLAY_IDS = 1000;

/** Which letters a list or a bulk replay is about; since (inclusive) and until (exclusive) are on parked_at. */
export interface LetterFilter {
  reason?: string;
  channel?: Channel;
  notificationId?: string;
  /** ISO 8601. */
  since?: string;
  until?: string;
}

/** What a bulk replay replays: the parked letters among these ids, or those matching the filter. */
export type ReplaySelection = { ids: string[] } | { filter: LetterFilter };

export const JOB_STATUSES = ['running', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobCounts {
  /** Parked letters that matched when the job was created. */
  count: number;
  replayed: number;
  skipped: number;
  failed: number;
}

/**
 * The counts of a finished job. A letter of `count` that the job never saw was no longer parked
 * when its chunk came (replayed or discarded meanwhile): it counts as skipped, so a job that ran to
 * its end accounts for every letter it counted.
 */
export function finishedCounts(c: JobCounts): JobCounts {
  return { ...c, skipped: Math.max(c.skipped, c.count - c.replayed - c.failed) };
}

/** Tries of one chunk while Kafka or Postgres cannot be reached, before the job is marked failed. */
export const CHUNK_TRIES = 6;

/** The wait before try `n + 1` of a chunk (n ≥ 1): 1 s, 2 s, 4 s … at most 30 s. */
export function chunkRetryDelayMs(n: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, n - 1));
}
