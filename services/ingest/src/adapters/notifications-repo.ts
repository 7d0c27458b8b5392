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
      const [n, e] = await Promise.all([
        pool.query<NotificationSummary>(
          `SELECT id::text, user_id AS "userId", category, priority, created_at AS "createdAt"
             FROM notifications WHERE id = $1`,
          [id],
        ),
        pool.query<EventRow & { status: Status; channel: Channel | null }>(
          `SELECT status, channel, at, reason, provider_message_id AS "providerMessageId", detail
             FROM notification_events WHERE notification_id = $1 ORDER BY at, recorded_at`,
          [id],
        ),
      ]);
      if (n.rows.length === 0 && e.rows.length === 0) return null;
      return { summary: n.rows[0] ?? null, events: e.rows };
    },
  };
}
