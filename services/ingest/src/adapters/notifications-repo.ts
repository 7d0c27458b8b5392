import type { Channel, Pool, Status } from '@herald/shared';
import type { EventRow } from '../domain/timeline';

export interface NotificationSummary {
  id: string;
  userId: string | null;
  category: string | null;
  priority: string | null;
  createdAt: Date | null;
}

export interface NotificationsRepo {
  find(id: string): Promise<{ summary: NotificationSummary | null; events: EventRow[] } | null>;
}

export function pgNotificationsRepo(pool: Pool): NotificationsRepo {
  return {
    async find(id) {
      // Events first, then the summary, one after the other: the summary row is committed with the
      // first event that carries it, so any event this sees implies its summary is visible too.
      // (Read in parallel, a view could show events without their summary.)
      const e = await pool.query<EventRow & { status: Status; channel: Channel | null }>(
        `SELECT status, channel, at, reason, provider_message_id AS "providerMessageId", detail
           FROM notification_events WHERE notification_id = $1 ORDER BY at, recorded_at`,
        [id],
      );
      const n = await pool.query<NotificationSummary>(
        `SELECT id::text, user_id AS "userId", category, priority, created_at AS "createdAt"
           FROM notifications WHERE id = $1`,
        [id],
      );
      if (n.rows.length === 0 && e.rows.length === 0) return null;
      return { summary: n.rows[0] ?? null, events: e.rows };
    },
  };
}
