import type { Pool } from '@herald/shared';
import type { StoredUser } from '../domain/decide';
import type { QuietRule } from '../domain/quiet-hours';

export interface UserDirectory {
  find(userId: string): Promise<StoredUser | null>;
  /** Every id asked for is in the result; null for a user Herald does not know. */
  findMany(userIds: string[]): Promise<Map<string, StoredUser | null>>;
  /** Drops what is kept of a user (its profile changed); every user when none is named. */
  forget(userId?: string): void;
}

interface Row {
  id: string;
  email: string | null;
  phone: string | null;
  locale: string;
  timezone: string;
  unsubscribed: boolean;
  tokens: string[] | null;
  opt_outs: string[] | null;
  quiet_timezone: string | null;
  quiet_rules: QuietRule[] | null;
}

/**
 * Users with their live device tokens and what they asked for (opt-outs, unsubscribe, quiet
 * hours), any number in one query.
 */
export function pgUserDirectory(pool: Pool): UserDirectory {
  const findMany = async (userIds: string[]) => {
    const found = new Map<string, StoredUser | null>(userIds.map((id) => [id, null]));
    if (userIds.length === 0) return found;
    const { rows } = await pool.query<Row>(
      `SELECT u.id, u.email, u.phone, u.locale, u.timezone, u.unsubscribed_at IS NOT NULL AS unsubscribed,
              (SELECT array_agg(d.token ORDER BY d.created_at) FROM devices d
                WHERE d.user_id = u.id AND d.invalidated_at IS NULL) AS tokens,
              (SELECT array_agg(p.category || ':' || p.channel) FROM preferences p
                WHERE p.user_id = u.id AND NOT p.enabled) AS opt_outs,
              q.timezone AS quiet_timezone, q.rules AS quiet_rules
         FROM users u
         LEFT JOIN quiet_hours q ON q.user_id = u.id
        WHERE u.id = ANY($1::text[])`,
      [userIds],
    );
    for (const row of rows) {
      found.set(row.id, {
        email: row.email,
        phone: row.phone,
        locale: row.locale,
        pushTokens: row.tokens ?? [],
        policy: {
          timezone: row.timezone,
          unsubscribed: row.unsubscribed,
          optOuts: row.opt_outs ?? [],
          quietHours:
            row.quiet_rules && row.quiet_rules.length > 0
              ? { timezone: row.quiet_timezone ?? row.timezone, rules: row.quiet_rules }
              : null,
        },
      });
    }
    return found;
  };
  return {
    findMany,
    find: async (userId) => (await findMany([userId])).get(userId) ?? null,
    forget: () => undefined,
  };
}

/**
 * Users change rarely and are read for every notification: kept for `ttlMs` (at most `max` of
 * them). A change made through the API is announced (shared `changes.ts`) and the user forgotten
 * at once; a change whose announcement was lost, or made behind the API's back, reaches the router
 * within `ttlMs`. Users Herald does not know are cached too, for the same bound.
 */
export function cachedUserDirectory(
  inner: UserDirectory,
  opts: { ttlMs: number; max: number; now?: () => number },
): UserDirectory {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; user: StoredUser | null }>();
  /** Counts forgets, so a read that started before one does not store what it read. */
  let forgotten = 0;
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
      // A change announced while this read was in flight may have come after the row was read:
      // what it read is used, but not kept, so the next read sees the change.
      const epoch = forgotten;
      for (const [id, user] of await inner.findMany(missing)) {
        if (epoch === forgotten) remember(id, user);
        result.set(id, user);
      }
    }
    return result;
  };
  return {
    findMany,
    find: async (userId) => (await findMany([userId])).get(userId) ?? null,
    forget: (userId) => {
      forgotten++;
      if (userId === undefined) cache.clear();
      else cache.delete(userId);
    },
  };
}
