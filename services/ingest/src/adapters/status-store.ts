import { valuesList, writeChunked } from '@herald/shared';
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
      const values = valuesList(
        [...notifications].map(([id, s]) => [
          id,
          s.userId,
          s.category ?? null,
          s.priority ?? null,
          typeof s.createdAt === 'number' ? new Date(s.createdAt) : null,
        ]),
        params,
      );
      await client.query(
        `INSERT INTO notifications (id, user_id, category, priority, created_at) VALUES ${values}
         ON CONFLICT (id) DO NOTHING`,
        params,
      );
    }
    const params: unknown[] = [];
    const values = valuesList(
      events.map((e) => [
        e.eventId,
        e.notificationId,
        e.status,
        e.channel,
        new Date(e.at),
        e.service,
        e.providerMessageId,
        e.reason,
        e.detail,
      ]),
      params,
    );
    await client.query(
      `INSERT INTO notification_events
         (event_id, notification_id, status, channel, at, service, provider_message_id, reason, detail)
       VALUES ${values} ON CONFLICT (event_id) DO NOTHING`,
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
 * Writes events in multi-row chunks (one transaction each). A chunk Postgres refuses for its data
 * is written again one event at a time: the events that still fail are returned, with the reason,
 * for the caller to park.
 */
export async function writeEvents(
  pool: Pool,
  events: StatusEvent[],
): Promise<{ event: StatusEvent; reason: string }[]> {
  const refused = await writeChunked(events, CHUNK, (chunk) => writeChunk(pool, chunk));
  return refused.map(({ item, reason }) => ({ event: item, reason }));
}
