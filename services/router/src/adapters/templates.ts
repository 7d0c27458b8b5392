import { localeChain } from '@herald/shared';
import type { Channel, Pool, Template } from '@herald/shared';

export interface TemplateStore {
  /**
   * The newest version for the locale, else for its language, else for `en` (`localeChain`); null
   * when none exists.
   */
  find(id: string, channel: Channel, locale: string): Promise<Template | null>;
  /** Drops every cached template (a template was published). */
  forget(): void;
}

/**
 * Templates change rarely and are read for every message: cached per (id, channel, locale) for a
 * short TTL; a template published through the API is announced and dropped at once. A message is
 * rendered when routed, so a new version never changes a message already routed.
 */
export function pgTemplateStore(pool: Pool, ttlMs: number, now: () => number = Date.now): TemplateStore {
  // The lookup in flight is what is cached, so records that miss together share one query.
  const cache = new Map<string, { at: number; value: Promise<Template | null> }>();
  const query = async (id: string, channel: Channel, locale: string): Promise<Template | null> => {
    const chain = localeChain(locale);
    const { rows } = await pool.query<Template>(
      `SELECT id, channel, locale, version, subject, title, body, html, data, strict,
              from_email AS "fromEmail", from_name AS "fromName", reply_to AS "replyTo"
         FROM templates
        WHERE id = $1 AND channel = $2 AND locale = ANY($3::text[])
        ORDER BY array_position($3::text[], locale), version DESC
        LIMIT 1`,
      [id, channel, chain],
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
    forget: () => cache.clear(),
  };
}
