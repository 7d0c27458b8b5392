import type { Pool } from '@herald/shared';
import { auditActor } from '../domain/dead-letter';
import { finishedCounts } from '../domain/replay-job';
import type { JobStatus, LetterFilter, ReplaySelection } from '../domain/replay-job';
import { LETTER_COLUMNS, filterConditions } from './dead-letters';
import type { StoredDeadLetter } from './dead-letters';
import { inTransaction } from './transaction';
import type { TxClient } from './transaction';

export interface ReplayJob {
  id: string;
  status: JobStatus;
  /** Exactly one of ids and filter is set. */
  ids: string[] | null;
  filter: LetterFilter | null;
  count: number;
  replayed: number;
  skipped: number;
  failed: number;
  /** The API key that asked for it. */
  createdBy: { name: string; keyId: string };
  createdAt: string;
  finishedAt: string | null;
  lastError: string | null;
}

/** What a chunk's work did: the letters to mark replayed (still parked, locked), and the others. */
export interface ChunkResult {
  replayed: StoredDeadLetter[];
  skipped: number;
  failed: number;
}

export type ChunkStep<R extends ChunkResult> =
  | { kind: 'chunk'; result: R }
  /** The chunk's letters were all taken by someone else while it waited for their locks: go on. */
  | { kind: 'again' }
  /** No letter left: the job is done now. */
  | { kind: 'finished' }
  /** The job is not running (done or failed elsewhere) or does not exist. */
  | { kind: 'gone' };

export interface ReplayJobStore {
  /**
   * Counts the parked letters the selection matches now and records the job, bounded to them
   * (letters parked later are not part of it). A job that matches nothing is done at once.
   */
  create(id: string, selection: ReplaySelection, createdBy: ReplayJob['createdBy']): Promise<ReplayJob>;
  get(id: string): Promise<ReplayJob | null>;
  /** Ids of the jobs still running, oldest first. */
  running(): Promise<string[]>;
  /**
   * One chunk, in one transaction: locks the job (one worker at a time, whichever process) and its
   * next `size` letters still parked, lets `work` replay them, then marks the replayed ones and
   * moves the job past the chunk. When `work` throws, nothing is marked and the job stays where it was.
   */
  nextChunk<R extends ChunkResult>(
    id: string,
    size: number,
    work: (letters: StoredDeadLetter[], job: ReplayJob) => Promise<R>,
  ): Promise<ChunkStep<R>>;
  /** Ends a running job as failed, with the error and the letters of the chunk it could not replay. */
  fail(id: string, error: string, failed: number): Promise<void>;
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const JOB_COLUMNS = `id::text AS id, status, ids, filter, count, replayed, skipped, failed,
  json_build_object('name', created_by, 'keyId', created_by_key) AS "createdBy", ${iso('created_at')} AS "createdAt", ${iso('finished_at')} AS "finishedAt",
  last_error AS "lastError"`;

/** The condition selecting a job's letters, its values appended to `params`. */
function selectionConditions(selection: ReplaySelection, params: unknown[]): string[] {
  if ('ids' in selection) {
    params.push(selection.ids);
    return [`id = ANY($${params.length}::bigint[])`];
  }
  return filterConditions(selection.filter, params);
}

function selectionOf(job: Pick<ReplayJob, 'ids' | 'filter'>): ReplaySelection {
  return job.ids ? { ids: job.ids } : { filter: job.filter ?? {} };
}

async function anyLeft(client: TxClient, where: string[], params: unknown[]): Promise<boolean> {
  const { rows } = await client.query<{ left: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM dead_letters WHERE ${where.join(' AND ')}) AS left`,
    params,
  );
  return rows[0]?.left === true;
}

export function pgReplayJobs(pool: Pool): ReplayJobStore {
  return {
    async create(id, selection, createdBy) {
      const params: unknown[] = [];
      const where = ["status = 'parked'", ...selectionConditions(selection, params)];
      params.push(
        id,
        'ids' in selection ? JSON.stringify(selection.ids) : null,
        'filter' in selection ? JSON.stringify(selection.filter) : null,
        createdBy.name,
        createdBy.keyId,
      );
      const n = params.length;
      const { rows } = await pool.query<ReplayJob>(
        `WITH matched AS (
           SELECT count(*)::int AS n, coalesce(max(id), 0) AS max_id FROM dead_letters WHERE ${where.join(' AND ')}
         )
         INSERT INTO dead_letter_replays (id, ids, filter, count, max_id, created_by, created_by_key, status,
                                          finished_at)
         SELECT $${n - 4}, $${n - 3}::jsonb, $${n - 2}::jsonb, n, max_id, $${n - 1}, $${n},
                CASE WHEN n = 0 THEN 'done' ELSE 'running' END, CASE WHEN n = 0 THEN now() END
           FROM matched
         RETURNING ${JOB_COLUMNS}`,
        params,
      );
      const job = rows[0];
      if (!job) throw new Error('the replay job was not recorded');
      return job;
    },
    async get(id) {
      const { rows } = await pool.query<ReplayJob>(
        `SELECT ${JOB_COLUMNS} FROM dead_letter_replays WHERE id = $1`,
        [id],
      );
      return rows[0] ?? null;
    },
    async running() {
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id::text AS id FROM dead_letter_replays WHERE status = 'running' ORDER BY created_at`,
      );
      return rows.map((r) => r.id);
    },
    nextChunk(id, size, work) {
      return inTransaction(pool, async (client) => {
        const { rows: jobs } = await client.query<ReplayJob & { lastId: string; maxId: string }>(
          `SELECT ${JOB_COLUMNS}, last_id::text AS "lastId", max_id::text AS "maxId"
             FROM dead_letter_replays WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const job = jobs[0];
        if (!job || job.status !== 'running') return { kind: 'gone' };
        const params: unknown[] = [job.lastId, job.maxId];
        const where = [
          "status = 'parked'",
          'id > $1',
          'id <= $2',
          ...selectionConditions(selectionOf(job), params),
        ];
        const { rows: letters } = await client.query<StoredDeadLetter>(
          `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE ${where.join(' AND ')}
            ORDER BY dead_letters.id LIMIT $${params.length + 1} FOR UPDATE`,
          [...params, size],
        );
        const last = letters.at(-1);
        // FOR UPDATE with LIMIT may return fewer rows than there are (none, even) when the rows it
        // waited for changed meanwhile: only a plain look that finds none means the job is done.
        if (!last && (await anyLeft(client, where, params))) return { kind: 'again' };
        if (!last) {
          const counts = finishedCounts(job);
          await client.query(
            `UPDATE dead_letter_replays SET status = 'done', finished_at = now(), skipped = $2 WHERE id = $1`,
            [id, counts.skipped],
          );
          return { kind: 'finished' };
        }
        const result = await work(letters, job);
        await client.query(
          `WITH marked AS (
             UPDATE dead_letters
                SET status = 'replayed', replayed_at = now(), replayed_by = $2, replay_job_id = $1,
                    replay_count = replay_count + 1
              WHERE id = ANY($3::bigint[]) AND status = 'parked'
             RETURNING 1
           )
           UPDATE dead_letter_replays
              SET replayed = replayed + (SELECT count(*) FROM marked), skipped = skipped + $4,
                  failed = failed + $5, last_id = $6
            WHERE id = $1`,
          [
            id,
            auditActor(job.createdBy),
            result.replayed.map((l) => l.id),
            result.skipped,
            result.failed,
            last.id,
          ],
        );
        return { kind: 'chunk', result };
      });
    },
    async fail(id, error, failed) {
      await pool.query(
        `UPDATE dead_letter_replays
            SET status = 'failed', finished_at = now(), last_error = $2, failed = failed + $3
          WHERE id = $1 AND status = 'running'`,
        [id, error.slice(0, 500), failed],
      );
    },
  };
}
