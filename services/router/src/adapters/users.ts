import type { Pool } from '@herald/shared';
import type { StoredUser } from '../domain/decide';

export interface UserDirectory {
  find(userId: string): Promise<StoredUser | null>;
  /** Every id asked for is in the result; null for a user Herald does not know. */
  findMany(userIds: string[]): Promise<Map<string, StoredUser | null>>;
}

interface Row {
  id: string;
  email: string | null;
  phone: string | null;
  locale: string;
  tokens: string[] | null;
}

/** Users with their live device tokens, any number in one query. */
export function pgUserDirectory(pool: Pool): UserDirectory {
  const findMany = async (userIds: string[]) => {
    const found = new Map<string, StoredUser | null>(userIds.map((id) => [id, null]));
    if (userIds.length === 0) return found;
    const { rows } = await pool.query<Row>(
      `SELECT u.id, u.email, u.phone, u.locale,
              array_agg(d.token ORDER BY d.created_at) FILTER (WHERE d.token IS NOT NULL) AS tokens
         FROM users u
         LEFT JOIN devices d ON d.user_id = u.id AND d.invalidated_at IS NULL
        WHERE u.id = ANY($1::text[])
        GROUP BY u.id`,
      [userIds],
    );
    for (const row of rows) {
      found.set(row.id, {
        email: row.email,
        phone: row.phone,
        locale: row.locale,
        pushTokens: row.tokens ?? [],
      });
    }
    return found;
  };
  return {
    findMany,
    find: async (userId) => (await findMany([userId])).get(userId) ?? null,
  };
}

/**
 * Users change rarely and are read for every notification: kept for `ttlMs` (at most `max` of
 * them), so an edit to a user's addresses or devices reaches the router within `ttlMs`. Users
 * Herald does not know are cached too, for the same bound.
 */
export function cachedUserDirectory(
  inner: UserDirectory,
  opts: { ttlMs: number; max: number; now?: () => number },
): UserDirectory {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; user: StoredUser | null }>();
  const fresh = (id: string) => {
    const hit = cache.get(id);
    return hit && now() - hit.at < opts.ttlMs ? hit : undefined;
  };
  const remember = (id: string, user: StoredUser | null) => {
    cache.delete(id);
    cache.set(id, { at: now(), user });
    // A Map keeps insertion order: the first keys are the least recently stored.
    for (const oldest of cache.keys()) {
      if (cache.size <= opts.max) break;
      cache.delete(oldest);
    }
  };
  const findMany = async (userIds: string[]) => {
    const result = new Map<string, StoredUser | null>();
    const missing: string[] = [];
    for (const id of userIds) {
      const hit = fresh(id);
      if (hit) result.set(id, hit.user);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const [id, user] of await inner.findMany(missing)) {
        remember(id, user);
        result.set(id, user);
      }
    }
    return result;
  };
  return {
    findMany,
    find: async (userId) => (await findMany([userId])).get(userId) ?? null,
  };
}
