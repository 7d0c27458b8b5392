import type { Pool } from '@herald/shared';

export interface User {
  id: string;
  email: string | null;
  phone: string | null;
  locale: string;
  timezone: string;
}

export interface Device {
  token: string;
  platform: string;
  createdAt: string;
}

export interface UsersRepo {
  /** Creates or replaces the user; `created` tells which. */
  upsert(user: User): Promise<{ created: boolean }>;
  find(id: string): Promise<(User & { devices: Device[] }) | null>;
  /** False when the user does not exist. */
  addDevice(userId: string, token: string, platform: string): Promise<boolean>;
  removeDevice(userId: string, token: string): Promise<boolean>;
}

export function pgUsersRepo(pool: Pool): UsersRepo {
  return {
    async upsert(u) {
      const { rows } = await pool.query<{ created: boolean }>(
        `INSERT INTO users (id, email, phone, locale, timezone) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET email = $2, phone = $3, locale = $4, timezone = $5, updated_at = now()
         RETURNING (xmax = 0) AS created`,
        [u.id, u.email, u.phone, u.locale, u.timezone],
      );
      return { created: rows[0]?.created ?? false };
    },
    async find(id) {
      const users = await pool.query<User>(
        'SELECT id, email, phone, locale, timezone FROM users WHERE id = $1',
        [id],
      );
      const user = users.rows[0];
      if (!user) return null;
      const devices = await pool.query<Device>(
        `SELECT token, platform, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
           FROM devices WHERE user_id = $1 AND invalidated_at IS NULL ORDER BY created_at`,
        [id],
      );
      return { ...user, devices: devices.rows };
    },
    async addDevice(userId, token, platform) {
      const { rowCount } = await pool.query(
        `INSERT INTO devices (user_id, token, platform)
         SELECT id, $2, $3 FROM users WHERE id = $1
         ON CONFLICT (user_id, token) DO UPDATE SET platform = $3, invalidated_at = NULL, updated_at = now()`,
        [userId, token, platform],
      );
      return (rowCount ?? 0) > 0;
    },
    async removeDevice(userId, token) {
      const { rowCount } = await pool.query('DELETE FROM devices WHERE user_id = $1 AND token = $2', [
        userId,
        token,
      ]);
      return (rowCount ?? 0) > 0;
    },
  };
}
