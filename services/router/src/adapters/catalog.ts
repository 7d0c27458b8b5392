import { categorySettingsSchema, ruleMatchSchema } from '@herald/shared/domain';
import type { Channel } from '@herald/shared/domain';
import type { Logger, Pool } from '@herald/shared';
import type { CategorySettings } from '../domain/route';
import type { RoutingRule } from '../domain/rules';

/** Categories and routing rules: few, read for every request, changed rarely. */
export interface Catalog {
  read(): Promise<{ categories: Map<string, CategorySettings>; rules: RoutingRule[] }>;
  /** Drops what is kept (a change was announced): the next read goes to Postgres. */
  forget(): void;
}

interface CategoryRow {
  id: string;
  required: boolean;
  caps: unknown;
}
interface RuleRow {
  id: string;
  position: number;
  enabled: boolean;
  match: unknown;
  channels: Channel[];
  stop_processing: boolean;
}

/**
 * The whole catalogue in two queries, kept for `ttlMs`; concurrent readers share one load. A
 * change through the API is announced and forgotten at once; `ttlMs` bounds a change whose
 * announcement was lost. A row that does not parse (edited by hand) is skipped with a warning:
 * a rule nobody can read is not obeyed, and a category's settings fall back to optional, no caps.
 */
export function pgCatalog(pool: Pool, opts: { ttlMs: number; log: Logger; now?: () => number }): Catalog {
  const now = opts.now ?? Date.now;
  let kept: { at: number; value: Promise<Awaited<ReturnType<Catalog['read']>>> } | null = null;

  const load = async () => {
    const [categories, rules] = await Promise.all([
      pool.query<CategoryRow>('SELECT id, required, caps FROM categories'),
      pool.query<RuleRow>(
        'SELECT id, position, enabled, match, channels, stop_processing FROM routing_rules ORDER BY position, id',
      ),
    ]);
    const out = { categories: new Map<string, CategorySettings>(), rules: [] as RoutingRule[] };
    for (const row of categories.rows) {
      const parsed = categorySettingsSchema.safeParse({ required: row.required, caps: row.caps });
      if (!parsed.success) {
        opts.log.warn({ category: row.id }, 'skipped category settings that do not parse');
        continue;
      }
      out.categories.set(row.id, {
        required: parsed.data.required,
        caps: parsed.data.caps.map((c) => ({
          channel: c.channel,
          limit: c.limit,
          windowMs: c.windowSeconds * 1000,
          category: row.id,
        })),
      });
    }
    for (const row of rules.rows) {
      const match = ruleMatchSchema.safeParse(row.match);
      if (!match.success) {
        opts.log.warn({ rule: row.id }, 'skipped a routing rule whose match does not parse');
        continue;
      }
      out.rules.push({
        id: row.id,
        position: row.position,
        enabled: row.enabled,
        match: match.data,
        channels: row.channels,
        stopProcessing: row.stop_processing,
      });
    }
    return out;
  };

  return {
    read() {
      if (kept && now() - kept.at < opts.ttlMs) return kept.value;
      const value = load();
      kept = { at: now(), value };
      // A failed load is not kept: the next read tries again.
      value.catch(() => {
        if (kept?.value === value) kept = null;
      });
      return value;
    },
    forget() {
      kept = null;
    },
  };
}
