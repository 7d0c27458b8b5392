import type { Channel, Pool } from '@herald/shared';
import type { Template } from '../domain/render';

export interface TemplateStore {
  /** The newest version for the locale, else for `en`; null when neither exists. */
  find(id: string, channel: Channel, locale: string): Promise<Template | null>;
}

/**
 * Templates change rarely and are read for every message: cached per (id, channel, locale) for a
 * short TTL, so an edit is live within that many seconds.
 */
export function pgTemplateStore(pool: Pool, ttlMs: number, now: () => number = Date.now): TemplateStore {
  // The lookup in flight is what is cached, so records that miss together share one query.
  const cache = new Map<string, { at: number; value: Promise<Template | null> }>();
  const query = async (id: string, channel: Channel, locale: string): Promise<Template | null> => {
    const { rows } = await pool.query<Template>(
      `SELECT id, channel, locale, version, subject, title, body, html
         FROM templates
        WHERE id = $1 AND channel = $2 AND locale IN ($3, 'en')
        ORDER BY (locale = $3) DESC, version DESC
        LIMIT 1`,
      [id, channel, locale],
    );
    return rows[0] ?? null;
  };
  return {
    find(id, channel, locale) {
      const key = `${id}\u0000${channel}\u0000${locale}`;
      const hit = cache.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.value;
      const value = query(id, channel, locale);
      const entry = { at: now(), value };
      cache.set(key, entry);
      // A failed lookup is not kept: the next record asks again.
      value.catch(() => {
        if (cache.get(key) === entry) cache.delete(key);
      });
      return value;
    },
  };
}
