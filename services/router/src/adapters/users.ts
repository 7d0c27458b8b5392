import type { Pool } from '@herald/shared';
import type { StoredUser } from '../domain/decide';

export interface UserDirectory {
  find(userId: string): Promise<StoredUser | null>;
}

export function pgUserDirectory(pool: Pool): UserDirectory {
  return {
    async find(userId) {
      const { rows } = await pool.query<{
        email: string | null;
        phone: string | null;
        locale: string;
        tokens: string[] | null;
      }>(
        `SELECT u.email, u.phone, u.locale,
                array_agg(d.token ORDER BY d.created_at) FILTER (WHERE d.token IS NOT NULL) AS tokens
           FROM users u
           LEFT JOIN devices d ON d.user_id = u.id AND d.invalidated_at IS NULL
          WHERE u.id = $1
          GROUP BY u.id`,
        [userId],
      );
      const row = rows[0];
      if (!row) return null;
      return { email: row.email, phone: row.phone, locale: row.locale, pushTokens: row.tokens ?? [] };
    },
  };
}
