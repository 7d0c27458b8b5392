/**
 * The delay tiers of the retry engine (DESIGN.md §4), as pure functions of the clock.
 *
 * A tier is a topic whose records all wait about the same time, so its partitions stay in order of
 * ripeness and a consumer only ever looks at a partition's head. A record carries its due time and
 * goes to the longest tier not longer than its remaining wait; when it ripens there, it is
 * released to its target if due, or moved to the tier that fits what is left. The last stretch,
 * shorter than the shortest tier, is spent in the shortest tier, held until the due time itself.
 */

export interface Tier {
  /** As configured and in the topic name: `1s`, `5s`, `2m`, `1h`. */
  name: string;
  ms: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `1s`, `2m`, `1h`, `1d` in milliseconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^([1-9]\d{0,6})(ms|s|m|h|d)$/.exec(text);
  if (!match?.[1] || !match[2]) return null;
  return Number(match[1]) * (UNITS[match[2]] ?? Number.NaN);
}

/**
 * The configured tiers, shortest first. Refuses an empty list, a name that is not a duration, a
 * tier under 100 ms and two names of one duration, with a message an operator can act on.
 */
export function parseTiers(names: readonly string[]): Tier[] {
  if (names.length === 0) throw new Error('expected at least one delay tier, such as 1s,5s,30s,2m,10m,1h');
  const tiers = names.map((name) => {
    const ms = parseDuration(name);
    if (ms === null) throw new Error(`"${name}" is not a duration such as 500ms, 5s, 2m or 1h`);
    if (ms < 100) throw new Error(`tier "${name}" is shorter than 100ms`);
    return { name, ms };
  });
  tiers.sort((a, b) => a.ms - b.ms);
  for (let i = 1; i < tiers.length; i++) {
    const [a, b] = [tiers[i - 1], tiers[i]];
    if (a && b && a.ms === b.ms) throw new Error(`tiers "${a.name}" and "${b.name}" are the same duration`);
  }
  return tiers;
}

function shortest(tiers: readonly Tier[]): Tier {
  const first = tiers[0];
  if (!first) throw new Error('no delay tiers');
  return first;
}

/** The longest tier not longer than `remainingMs`; the shortest when even that one is longer. */
export function tierFor(tiers: readonly Tier[], remainingMs: number): Tier {
  let chosen = shortest(tiers);
  for (const tier of tiers) if (tier.ms <= remainingMs) chosen = tier;
  return chosen;
}

/**
 * When a record that entered `tier` at `enteredAt` is next looked at. Its last stretch (what was
 * left on entry is at most the shortest tier) is held until the due time itself. Before that, it
 * ripens after the tier's duration, or earlier, once only the shortest tier's duration is left:
 * so every record starts its last stretch at about its due time minus the shortest tier, and
 * records reach their last stretch, and then their target, in order of due time.
 */
export function holdUntil(tiers: readonly Tier[], tier: Tier, enteredAt: number, dueAt: number): number {
  const last = shortest(tiers).ms;
  if (dueAt - enteredAt <= last) return dueAt;
  return Math.min(enteredAt + tier.ms, dueAt - last);
}

export type DelayStep = { kind: 'release' } | { kind: 'wait'; tier: Tier };

/** What to do with a record whose hold has passed: release it if due, or send it on to wait more. */
export function nextStep(tiers: readonly Tier[], dueAt: number, now: number): DelayStep {
  const remaining = dueAt - now;
  return remaining <= 0 ? { kind: 'release' } : { kind: 'wait', tier: tierFor(tiers, remaining) };
}
