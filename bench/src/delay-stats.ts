import { percentile, ratePerSecond } from './stats';

/** Pure figures of scenario (e): what the delay engine released, how late, in what order. */

/** A record as read back from the target topic. */
export interface Release {
  partition: number;
  offset: number;
  /** The bench's number for the record: the same number twice on the target is a duplicate. */
  seq: number;
  dueAt: number;
  /** Its Kafka timestamp on the target: when the dlq produced it there. */
  releasedAt: number;
}

export interface LatenessSummary {
  count: number;
  /** Released before their due time: the engine must never do this. */
  early: number;
  min: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export interface DueOrder {
  /**
   * Records released on a partition after one due later than them (running maximum of the due
   * times before them, in offset order).
   */
  outOfOrder: number;
  /** Released and out of order, by target partition (every partition that got a record). */
  byPartition: Record<string, { released: number; outOfOrder: number }>;
  /** How far an out-of-order record's due time was behind the latest one before it (0 if none). */
  maxBehindMs: number;
}

/**
 * The records on the target once each (a record read twice, as after a rebalance, has one
 * partition and offset), and how many the engine released twice (one seq at two offsets).
 */
export function distinctReleases(read: readonly Release[]): {
  releases: Release[];
  released: number;
  duplicates: number;
} {
  const byPosition = new Map<string, Release>();
  for (const r of read) byPosition.set(`${r.partition}:${r.offset}`, r);
  const releases = [...byPosition.values()];
  const seqs = new Set(releases.map((r) => r.seq));
  return { releases, released: seqs.size, duplicates: releases.length - seqs.size };
}

const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

/** Released minus due, in milliseconds, for each record: percentiles, and how many were early. */
export function latenessSummary(releases: readonly Release[]): LatenessSummary {
  const sorted = Array.from(Float64Array.from(releases.map((r) => r.releasedAt - r.dueAt)).sort());
  let sum = 0;
  let early = 0;
  for (const v of sorted) {
    sum += v;
    if (v < 0) early++;
  }
  return {
    count: sorted.length,
    early,
    min: round(sorted[0] ?? null),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? null),
    mean: round(sorted.length > 0 ? sum / sorted.length : null),
  };
}

/** How far each target partition's records, in offset order, stray from due order. */
export function dueOrder(releases: readonly Release[]): DueOrder {
  const byPartition = new Map<number, Release[]>();
  for (const r of releases) {
    const list = byPartition.get(r.partition) ?? [];
    list.push(r);
    byPartition.set(r.partition, list);
  }
  const out: DueOrder = { outOfOrder: 0, byPartition: {}, maxBehindMs: 0 };
  for (const partition of [...byPartition.keys()].sort((a, b) => a - b)) {
    const list = (byPartition.get(partition) ?? []).sort((a, b) => a.offset - b.offset);
    let latestDue = Number.NEGATIVE_INFINITY;
    let outOfOrder = 0;
    for (const r of list) {
      if (r.dueAt < latestDue) {
        outOfOrder++;
        out.maxBehindMs = Math.max(out.maxBehindMs, latestDue - r.dueAt);
      }
      latestDue = Math.max(latestDue, r.dueAt);
    }
    out.byPartition[String(partition)] = { released: list.length, outOfOrder };
    out.outOfOrder += outOfOrder;
  }
  return out;
}

/** Releases per second from the first release timestamp to the last; null for fewer than two. */
export function releaseRate(releases: readonly Release[]): {
  firstAt: number | null;
  lastAt: number | null;
  perSecond: number | null;
} {
  if (releases.length === 0) return { firstAt: null, lastAt: null, perSecond: null };
  let firstAt = Number.POSITIVE_INFINITY;
  let lastAt = Number.NEGATIVE_INFINITY;
  for (const r of releases) {
    firstAt = Math.min(firstAt, r.releasedAt);
    lastAt = Math.max(lastAt, r.releasedAt);
  }
  return { firstAt, lastAt, perSecond: ratePerSecond(releases.length, lastAt - firstAt) };
}
