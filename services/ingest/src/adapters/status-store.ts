import { classifyError } from '@herald/shared';
import type { Pool, StatusEvent } from '@herald/shared';

interface Summary {
  userId?: unknown;
  category?: unknown;
  priority?: unknown;
  createdAt?: unknown;
}

function summaryOf(e: StatusEvent): Summary | null {
  if (!e.detail) return null;
  try {
    const d = JSON.parse(e.detail) as Summary;
    return typeof d.userId === 'string' ? d : null;
  } catch {
    return null;
  }
}

async function writeChunk(pool: Pool, events: StatusEvent[]): Promise<void> {
  const notifications = new Map<string, Summary>();
  for (const e of events) {
    const s = summaryOf(e);
    if (s && !notifications.has(e.notificationId)) notifications.set(e.notificationId, s);
  }
  const client = await pool.connect();
  // Set when the connection may be left mid-transaction: released with it, the pool discards it.
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    if (notifications.size > 0) {
      const params: unknown[] = [];
      const values = [...notifications].map(([id, s], i) => {
        params.push(
          id,
          s.userId,
          s.category ?? null,
          s.priority ?? null,
          typeof s.createdAt === 'number' ? new Date(s.createdAt) : null,
        );
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
      });
      await client.query(
        `INSERT INTO notifications (id, user_id, category, priority, created_at) VALUES ${values.join(', ')}
         ON CONFLICT (id) DO NOTHING`,
        params,
      );
    }
    const params: unknown[] = [];
    const values = events.map((e, i) => {
      params.push(
        e.eventId,
        e.notificationId,
        e.status,
        e.channel,
        new Date(e.at),
        e.service,
        e.providerMessageId,
        e.reason,
        e.detail,
      );
      const b = i * 9;
      return `(${Array.from({ length: 9 }, (_, j) => `$${b + j + 1}`).join(', ')})`;
    });
    await client.query(
      `INSERT INTO notification_events
         (event_id, notification_id, status, channel, at, service, provider_message_id, reason, detail)
       VALUES ${values.join(', ')} ON CONFLICT (event_id) DO NOTHING`,
      params,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error('ROLLBACK failed');
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

const CHUNK = 500;

/**
 * Writes events in multi-row chunks. A chunk Postgres refuses for its data (not for an outage) is
 * written again one event at a time, so one bad event cannot hold back the others: the events
 * that still fail are returned, with the reason, for the caller to park.
 */
export async function writeEvents(
  pool: Pool,
  events: StatusEvent[],
  afterChunk: () => Promise<void>,
): Promise<{ event: StatusEvent; reason: string }[]> {
  const rejected: { event: StatusEvent; reason: string }[] = [];
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK);
    try {
      await writeChunk(pool, chunk);
    } catch (e) {
      if (classifyError(e).code === 'dependency_unavailable') throw e;
      for (const event of chunk) {
        try {
          await writeChunk(pool, [event]);
        } catch (single) {
          const err = classifyError(single);
          if (err.code === 'dependency_unavailable') throw single;
          rejected.push({ event, reason: err.message });
        }
      }
    }
    await afterChunk();
  }
  return rejected;
}
