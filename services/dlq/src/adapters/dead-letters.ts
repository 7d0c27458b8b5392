import { valuesList, writeChunked } from '@herald/shared';
import type { Pool } from '@herald/shared';

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

export interface DeadLetterStore {
  /**
   * Stores a batch's dead letters with a few multi-row inserts, idempotent per source record (a
   * redelivered record is stored once). Returns the letters Postgres refused for their data, with
   * the reason; throws when Postgres is unavailable.
   */
  park(letters: NewDeadLetter[]): Promise<{ letter: NewDeadLetter; reason: string }[]>;
  list(filter: {
    reason?: string;
    notificationId?: string;
    limit: number;
    beforeId?: string;
  }): Promise<DeadLetterSummary[]>;
}

/** 15 parameters a row: 200 rows stay far below Postgres's 65,535 parameters a statement. */
const CHUNK = 200;

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
      const { rows } = await pool.query<DeadLetterSummary>(
        `SELECT id::text AS id, source_topic AS "sourceTopic", target_topic AS "targetTopic",
                notification_id AS "notificationId", channel, reason, error_class AS "errorClass", attempts,
                first_error AS "firstError", last_error AS "lastError",
                to_char(first_failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "firstFailedAt",
                to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "parkedAt",
                coalesce(octet_length(payload), 0) AS "payloadBytes"
           FROM dead_letters
          WHERE ($1::text IS NULL OR reason = $1)
            AND ($2::text IS NULL OR notification_id = $2)
            AND ($3::bigint IS NULL OR id < $3)
          ORDER BY id DESC
          LIMIT $4`,
        [filter.reason ?? null, filter.notificationId ?? null, filter.beforeId ?? null, filter.limit],
      );
      return rows;
    },
  };
}
