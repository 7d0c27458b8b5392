import type { Pool } from '@herald/shared';
import type { Channel, RoutingRuleInput } from '@herald/shared/domain';

/** `{ "marketing": { "email": false } }`: per category, per channel, whether the user wants it. */
export type CategoryChoices = Record<string, Partial<Record<Lowercase<Channel>, boolean>>>;

export interface Preferences {
  categories: CategoryChoices;
  unsubscribed: boolean;
}

export interface QuietHoursRecord {
  timezone: string | null;
  rules: { days: string[]; start: string; end: string }[];
}

export interface CategoryRecord {
  id: string;
  required: boolean;
  caps: { channel: Channel; limit: number; windowSeconds: number }[];
}

export type RoutingRuleRecord = RoutingRuleInput & { id: string };

/** What the router decides with, as the API reads and writes it. False: the user does not exist. */
export interface PolicyRepo {
  preferences(userId: string): Promise<Preferences | null>;
  /** Replaces every preference of the user. */
  setPreferences(userId: string, p: Preferences): Promise<boolean>;
  /** Opts the user out of one category on one channel (a one-click unsubscribe); false if no such user. */
  optOut(userId: string, category: string, channel: 'EMAIL' | 'SMS' | 'PUSH'): Promise<boolean>;
  quietHours(userId: string): Promise<QuietHoursRecord | null | false>;
  setQuietHours(userId: string, q: QuietHoursRecord): Promise<boolean>;
  removeQuietHours(userId: string): Promise<boolean>;
  categories(): Promise<CategoryRecord[]>;
  category(id: string): Promise<CategoryRecord | null>;
  setCategory(c: CategoryRecord): Promise<{ created: boolean }>;
  rules(): Promise<RoutingRuleRecord[]>;
  rule(id: string): Promise<RoutingRuleRecord | null>;
  /** Creates or replaces the rule. */
  setRule(r: RoutingRuleRecord): Promise<{ created: boolean }>;
  removeRule(id: string): Promise<boolean>;
}

interface RuleRow {
  id: string;
  position: number;
  enabled: boolean;
  match: RoutingRuleInput['match'];
  channels: Channel[];
  stop_processing: boolean;
}

const ruleOf = (r: RuleRow): RoutingRuleRecord => ({
  id: r.id,
  position: r.position,
  enabled: r.enabled,
  match: r.match,
  channels: r.channels,
  stopProcessing: r.stop_processing,
});

async function userExists(pool: Pool, userId: string): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM users WHERE id = $1', [userId]);
  return (rowCount ?? 0) > 0;
}

export function pgPolicyRepo(pool: Pool): PolicyRepo {
  return {
    async preferences(userId) {
      const { rows } = await pool.query<{
        unsubscribed: boolean;
        prefs: { category: string; channel: Channel; enabled: boolean }[] | null;
      }>(
        `SELECT u.unsubscribed_at IS NOT NULL AS unsubscribed,
                (SELECT json_agg(json_build_object('category', p.category, 'channel', p.channel, 'enabled', p.enabled)
                                 ORDER BY p.category, p.channel)
                   FROM preferences p WHERE p.user_id = u.id) AS prefs
           FROM users u WHERE u.id = $1`,
        [userId],
      );
      const row = rows[0];
      if (!row) return null;
      const categories: CategoryChoices = {};
      for (const p of row.prefs ?? []) {
        categories[p.category] = {
          ...categories[p.category],
          [p.channel.toLowerCase()]: p.enabled,
        };
      }
      return { categories, unsubscribed: row.unsubscribed };
    },

    async setPreferences(userId, p) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rowCount } = await client.query(
          `UPDATE users SET unsubscribed_at = CASE WHEN $2 THEN coalesce(unsubscribed_at, now()) END, updated_at = now()
            WHERE id = $1`,
          [userId, p.unsubscribed],
        );
        if ((rowCount ?? 0) === 0) {
          await client.query('ROLLBACK');
          return false;
        }
        const rows = Object.entries(p.categories).flatMap(([category, byChannel]) =>
          Object.entries(byChannel).map(
            ([channel, enabled]) => [category, channel.toUpperCase(), enabled] as const,
          ),
        );
        await client.query('DELETE FROM preferences WHERE user_id = $1', [userId]);
        if (rows.length > 0) {
          await client.query(
            `INSERT INTO preferences (user_id, category, channel, enabled)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::boolean[])`,
            [userId, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
          );
        }
        await client.query('COMMIT');
        return true;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },

    async optOut(userId, category, channel) {
      const { rowCount } = await pool.query(
        `INSERT INTO preferences (user_id, category, channel, enabled)
         SELECT id, $2, $3, false FROM users WHERE id = $1
         ON CONFLICT (user_id, category, channel) DO UPDATE SET enabled = false, updated_at = now()`,
        [userId, category, channel],
      );
      return (rowCount ?? 0) > 0;
    },

    async quietHours(userId) {
      const { rows } = await pool.query<{ timezone: string | null; rules: QuietHoursRecord['rules'] | null }>(
        `SELECT q.timezone, q.rules FROM users u LEFT JOIN quiet_hours q ON q.user_id = u.id WHERE u.id = $1`,
        [userId],
      );
      const row = rows[0];
      if (!row) return false;
      return row.rules ? { timezone: row.timezone, rules: row.rules } : null;
    },

    async setQuietHours(userId, q) {
      if (!(await userExists(pool, userId))) return false;
      await pool.query(
        `INSERT INTO quiet_hours (user_id, timezone, rules) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET timezone = $2, rules = $3, updated_at = now()`,
        [userId, q.timezone, JSON.stringify(q.rules)],
      );
      return true;
    },

    async removeQuietHours(userId) {
      const { rowCount } = await pool.query('DELETE FROM quiet_hours WHERE user_id = $1', [userId]);
      return (rowCount ?? 0) > 0;
    },

    async categories() {
      const { rows } = await pool.query<CategoryRecord>(
        'SELECT id, required, caps FROM categories ORDER BY id',
      );
      return rows;
    },

    async category(id) {
      const { rows } = await pool.query<CategoryRecord>(
        'SELECT id, required, caps FROM categories WHERE id = $1',
        [id],
      );
      return rows[0] ?? null;
    },

    async setCategory(c) {
      const { rows } = await pool.query<{ created: boolean }>(
        `INSERT INTO categories (id, required, caps) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET required = $2, caps = $3, updated_at = now()
         RETURNING (xmax = 0) AS created`,
        [c.id, c.required, JSON.stringify(c.caps)],
      );
      return { created: rows[0]?.created ?? false };
    },

    async rules() {
      const { rows } = await pool.query<RuleRow>(
        'SELECT id, position, enabled, match, channels, stop_processing FROM routing_rules ORDER BY position, id',
      );
      return rows.map(ruleOf);
    },

    async rule(id) {
      const { rows } = await pool.query<RuleRow>(
        'SELECT id, position, enabled, match, channels, stop_processing FROM routing_rules WHERE id = $1',
        [id],
      );
      const row = rows[0];
      return row ? ruleOf(row) : null;
    },

    async setRule(r) {
      const { rows } = await pool.query<{ created: boolean }>(
        `INSERT INTO routing_rules (id, position, enabled, match, channels, stop_processing)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET position = $2, enabled = $3, match = $4, channels = $5,
           stop_processing = $6, updated_at = now()
         RETURNING (xmax = 0) AS created`,
        [r.id, r.position, r.enabled, JSON.stringify(r.match), r.channels, r.stopProcessing],
      );
      return { created: rows[0]?.created ?? false };
    },

    async removeRule(id) {
      const { rowCount } = await pool.query('DELETE FROM routing_rules WHERE id = $1', [id]);
      return (rowCount ?? 0) > 0;
    },
  };
}
