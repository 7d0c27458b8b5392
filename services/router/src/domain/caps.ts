import { CHANNELS, PRIORITIES } from '@herald/shared/domain';
import type { Channel, Priority } from '@herald/shared/domain';

/** At most `limit` messages on `channel` in any `windowMs`; per category when `category` is set. */
export interface CapRule {
  channel: Channel;
  limit: number;
  windowMs: number;
  category?: string;
}

/** One counter to check and take: a Redis key, and its limit over its sliding window. */
export interface CapCounter {
  key: string;
  limit: number;
  windowMs: number;
}

/** What happens to a channel over its cap, by priority. Critical bypasses caps altogether. */
export type CapPolicy = 'suppress' | 'defer';
export type CapPolicies = Readonly<Record<Exclude<Priority, 'CRITICAL'>, CapPolicy>>;

export const DEFAULT_CAP_POLICIES: CapPolicies = { HIGH: 'defer', NORMAL: 'defer', LOW: 'suppress' };

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Central caps as configured (FREQUENCY_CAPS): `SMS:3/1h,EMAIL:20/1d`, one channel cap each,
 * counted over all categories. Every problem is listed.
 */
export function parseCaps(text: string): { ok: true; caps: CapRule[] } | { ok: false; problems: string[] } {
  const caps: CapRule[] = [];
  const problems: string[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^([A-Za-z]+):(\d+)\/(\d+)([smhd])$/.exec(part);
    const channel = m?.[1]?.toUpperCase() as Channel | undefined;
    if (!m || !channel || !CHANNELS.includes(channel) || Number(m[2]) < 1 || Number(m[3]) < 1) {
      problems.push(
        `'${part}' is not <channel>:<limit>/<window> with a window in s, m, h or d (e.g. SMS:3/1h)`,
      );
      continue;
    }
    caps.push({ channel, limit: Number(m[2]), windowMs: Number(m[3]) * (UNITS[m[4] ?? 's'] ?? 1000) });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, caps };
}

/** `HIGH:defer,LOW:suppress`: the policy per priority, the defaults for those not named. */
export function parseCapPolicies(
  text: string,
): { ok: true; policies: CapPolicies } | { ok: false; problems: string[] } {
  const policies: Record<string, CapPolicy> = { ...DEFAULT_CAP_POLICIES };
  const problems: string[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [p, policy] = part.split(':').map((x) => x.trim());
    const priority = p?.toUpperCase() as Priority | undefined;
    if (
      !priority ||
      !PRIORITIES.includes(priority) ||
      priority === 'CRITICAL' ||
      (policy !== 'defer' && policy !== 'suppress')
    )
      problems.push(`'${part}' is not <high|normal|low>:<defer|suppress> (critical bypasses caps)`);
    else policies[priority] = policy;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policies: policies as CapPolicies };
}

/**
 * The counters a message on `channel` of `category` to `userId` must fit in: the category's own
 * caps for the channel when it has any (they override the central ones for its messages, looser
 * or stricter), else the channel's central caps, counted over every category without caps of its
 * own. Keys share the user's hash tag, so one script can check and take them all atomically on a
 * Redis cluster too.
 */
export function countersFor(
  userId: string,
  channel: Channel,
  category: string,
  central: readonly CapRule[],
  categoryCaps: readonly CapRule[],
): CapCounter[] {
  const own = categoryCaps.filter((c) => c.channel === channel);
  if (own.length > 0)
    return own.map((c) => ({
      key: `cap:{${userId}}:${channel}:${c.windowMs}:c:${category}`,
      limit: c.limit,
      windowMs: c.windowMs,
    }));
  return central
    .filter((c) => c.channel === channel)
    .map((c) => ({ key: `cap:{${userId}}:${channel}:${c.windowMs}`, limit: c.limit, windowMs: c.windowMs }));
}

export type CapVerdict = { ok: true } | { ok: false; freeAt: number };

/**
 * The sliding-window log, as the Redis script keeps it: a counter holds the times of the messages
 * it counted, keyed by notification (so one counted again is not counted twice). A message fits
 * when, after forgetting times at or before `now − windowMs`, fewer than `limit` remain in every
 * counter; then it is counted in all of them, else in none. Over a cap, `freeAt` is when the
 * oldest time of the fullest counter leaves its window. The pure model of the gate's Lua script
 * (`adapters/gate.ts`), which `gate.int.test.ts` holds to the same edges.
 */
export function admit(
  logs: Map<string, Map<string, number>>,
  counters: readonly CapCounter[],
  notificationId: string,
  now: number,
): CapVerdict {
  let freeAt = 0;
  for (const c of counters) {
    const log = logs.get(c.key) ?? new Map<string, number>();
    for (const [id, at] of log) if (at <= now - c.windowMs) log.delete(id);
    logs.set(c.key, log);
    if (log.has(notificationId)) continue;
    if (log.size >= c.limit) {
      // Room comes once all but limit − 1 of the times have left (the oldest, unless the limit shrank).
      const times = [...log.values()].sort((a, b) => a - b);
      freeAt = Math.max(freeAt, (times[log.size - c.limit] ?? now) + c.windowMs);
    }
  }
  if (freeAt > 0) return { ok: false, freeAt };
  for (const c of counters) logs.get(c.key)?.set(notificationId, now);
  return { ok: true };
}
