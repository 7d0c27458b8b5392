import { valuesList, writeChunked } from '@herald/shared';
import type { Pool } from '@herald/shared';
import type { DeadLetterStatus } from '../domain/dead-letter';
import type { LetterFilter } from '../domain/replay-job';
import { inTransaction } from './transaction';
import type { TxClient } from './transaction';

export interface NewDeadLetter {
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  targetTopic: string | null;
  notificationId: string | null;
  channel: string | null;
  key: Buffer | null;
  payload: Buffer | null;
  headers: Record<string, string>;
  reason: string;
  errorClass: string;
  attempts: number;
  /** The first attempt's error, when the failure history still holds it. */
  firstError: string | null;
  /** The last attempt's error. */
  error: string | null;
  firstFailedAt: Date | null;
}

export interface DeadLetterSummary {
  id: string;
  status: DeadLetterStatus;
  sourceTopic: string;
  targetTopic: string | null;
  notificationId: string | null;
  channel: string | null;
  reason: string;
  errorClass: string;
  attempts: number;
  firstError: string | null;
  lastError: string | null;
  firstFailedAt: string | null;
  parkedAt: string;
  payloadBytes: number;
}

/** A dead letter as stored, with its bytes and its replay and discard audit. Times in ISO 8601. */
export interface StoredDeadLetter extends DeadLetterSummary {
  sourcePartition: number;
  sourceOffset: string;
  key: Buffer | null;
  payload: Buffer | null;
  headers: Record<string, string>;
  replayCount: number;
  replayedAt: string | null;
  replayedBy: string | null;
  replayJobId: string | null;
  discardedAt: string | null;
  discardedBy: string | null;
  discardReason: string | null;
}

export interface ListFilter extends LetterFilter {
  status: DeadLetterStatus;
  limit: number;
  beforeId?: string;
}

/** What an operator's action does to the letter it locked. */
export type LetterChange =
  { kind: 'replayed'; by: string; jobId?: string } | { kind: 'discarded'; by: string; reason: string };

export interface DeadLetterStore {
  /**
   * Stores a batch's dead letters with a few multi-row inserts, idempotent per source record (a
   * redelivered record is stored once). Returns the letters Postgres refused for their data, with
   * the reason; throws when Postgres is unavailable.
   */
  park(letters: NewDeadLetter[]): Promise<{ letter: NewDeadLetter; reason: string }[]>;
  /** Newest first. */
  list(filter: ListFilter): Promise<DeadLetterSummary[]>;
  get(id: string): Promise<StoredDeadLetter | null>;
  /**
   * Runs `work` on the letter (null when there is none) while holding its row lock, and applies
   * the change it returns in the same transaction: an action on the same letter at the same time
   * waits, then sees the outcome. Returns what `work` returned, and the letter as changed.
   */
  withLocked<T>(
    id: string,
    work: (letter: StoredDeadLetter | null) => Promise<{ result: T; change?: LetterChange }>,
  ): Promise<{ result: T; changed: StoredDeadLetter | null }>;
  /** When the oldest letter still parked was parked; null when none is. */
  oldestParkedAt(): Promise<Date | null>;
}

/** 15 parameters a row: 200 rows stay far below Postgres's 65,535 parameters a statement. */
const CHUNK = 200;

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const SUMMARY_COLUMNS = `id::text AS id, status, source_topic AS "sourceTopic", target_topic AS "targetTopic",
  notification_id AS "notificationId", channel, reason, error_class AS "errorClass", attempts,
  first_error AS "firstError", last_error AS "lastError", ${iso('first_failed_at')} AS "firstFailedAt",
  ${iso('parked_at')} AS "parkedAt", coalesce(octet_length(payload), 0) AS "payloadBytes"`;

/** Every column of a StoredDeadLetter, for reading rows of `dead_letters`. */
export const LETTER_COLUMNS = `${SUMMARY_COLUMNS}, source_partition AS "sourcePartition",
  source_offset::text AS "sourceOffset", message_key AS key, payload, headers,
  replay_count AS "replayCount", ${iso('replayed_at')} AS "replayedAt", replayed_by AS "replayedBy",
  replay_job_id::text AS "replayJobId", ${iso('discarded_at')} AS "discardedAt",
  discarded_by AS "discardedBy", discard_reason AS "discardReason"`;

/**
 * The conditions of a filter, its values appended to `params`. Only conditions that are given are
 * written, so each query can use the index that fits it.
 */
export function filterConditions(filter: LetterFilter, params: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.reason !== undefined) add((p) => `reason = ${p}`, filter.reason);
  if (filter.channel !== undefined) add((p) => `channel = ${p}`, filter.channel);
  if (filter.notificationId !== undefined) add((p) => `notification_id = ${p}`, filter.notificationId);
  if (filter.since !== undefined) add((p) => `parked_at >= ${p}::timestamptz`, filter.since);
  if (filter.until !== undefined) add((p) => `parked_at < ${p}::timestamptz`, filter.until);
  return where;
}

/** The UPDATE that a change makes, its values appended to `params` after the letter's id ($1). */
function changeSql(change: LetterChange, params: unknown[]): string {
  switch (change.kind) {
    case 'replayed':
      params.push(change.by, change.jobId ?? null);
      return `status = 'replayed', replayed_at = now(), replayed_by = $2, replay_job_id = $3,
              replay_count = replay_count + 1`;
    case 'discarded':
      params.push(change.by, change.reason);
      return `status = 'discarded', discarded_at = now(), discarded_by = $2, discard_reason = $3`;
  }
}

async function lockedLetter(client: TxClient, id: string): Promise<StoredDeadLetter | null> {
  const { rows } = await client.query<StoredDeadLetter>(
    `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0] ?? null;
}

export function pgDeadLetters(pool: Pool): DeadLetterStore {
  return {
    async park(letters) {
      const refused = await writeChunked(letters, CHUNK, async (chunk) => {
        const params: unknown[] = [];
        const values = valuesList(
          chunk.map((d) => [
            d.sourceTopic,
            d.sourcePartition,
            d.sourceOffset,
            d.targetTopic,
            d.notificationId,
            d.channel,
            d.key,
            d.payload,
            JSON.stringify(d.headers),
            d.reason,
            d.errorClass,
            d.attempts,
            d.firstError,
            d.error,
            d.firstFailedAt,
          ]),
          params,
        );
        await pool.query(
          `INSERT INTO dead_letters (source_topic, source_partition, source_offset, target_topic, notification_id,
              channel, message_key, payload, headers, reason, error_class, attempts, first_error, last_error,
              first_failed_at)
           VALUES ${values}
           ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING`,
          params,
        );
      });
      return refused.map(({ item, reason }) => ({ letter: item, reason }));
    },
    async list(filter) {
      const params: unknown[] = [filter.status];
      const where = ['status = $1', ...filterConditions(filter, params)];
      if (filter.beforeId !== undefined) {
        params.push(filter.beforeId);
        where.push(`id < $${params.length}`);
      }
      params.push(filter.limit);
      const { rows } = await pool.query<DeadLetterSummary>(
        `SELECT ${SUMMARY_COLUMNS} FROM dead_letters
          WHERE ${where.join(' AND ')}
          ORDER BY dead_letters.id DESC
          LIMIT $${params.length}`,
        params,
      );
      return rows;
    },
    async get(id) {
      const { rows } = await pool.query<StoredDeadLetter>(
        `SELECT ${LETTER_COLUMNS} FROM dead_letters WHERE id = $1`,
        [id],
      );
      return rows[0] ?? null;
    },
    withLocked(id, work) {
      return inTransaction(pool, async (client) => {
        const { result, change } = await work(await lockedLetter(client, id));
        if (!change) return { result, changed: null };
        const params: unknown[] = [id];
        const set = changeSql(change, params);
        const { rows } = await client.query<StoredDeadLetter>(
          `UPDATE dead_letters SET ${set} WHERE id = $1 RETURNING ${LETTER_COLUMNS}`,
          params,
        );
        return { result, changed: rows[0] ?? null };
      });
    },
    async oldestParkedAt() {
      const { rows } = await pool.query<{ at: Date | null }>(
        `SELECT min(parked_at) AS at FROM dead_letters WHERE status = 'parked'`,
      );
      return rows[0]?.at ?? null;
    },
  };
}
