import { distinctReleases, dueOrder, latenessSummary, releaseRate } from '../src/delay-stats';
import type { Release } from '../src/delay-stats';

const rel = (partition: number, offset: number, seq: number, dueAt: number, releasedAt: number): Release => ({
  partition,
  offset,
  seq,
  dueAt,
  releasedAt,
});

describe('distinctReleases', () => {
  it('counts a record read twice at one position once, and one seq at two positions as a duplicate', () => {
    const a = rel(0, 0, 1, 100, 110);
    const b = rel(0, 1, 2, 100, 120);
    const again = rel(1, 5, 1, 100, 130);
    const r = distinctReleases([a, b, { ...a }, again]);
    expect(r.released).toBe(2);
    expect(r.duplicates).toBe(1);
    expect(r.releases).toHaveLength(3);
  });

  it('is empty for nothing read', () => {
    expect(distinctReleases([])).toEqual({ releases: [], released: 0, duplicates: 0 });
  });
});

describe('latenessSummary', () => {
  it('sorts lateness numerically and counts the early ones', () => {
    const releases = [
      rel(0, 0, 0, 1000, 1100),
      rel(0, 1, 1, 1000, 1009),
      rel(0, 2, 2, 1000, 990),
      rel(0, 3, 3, 1000, 1020),
    ];
    const s = latenessSummary(releases);
    expect(s).toMatchObject({ count: 4, early: 1, min: -10, max: 100, p50: 9, mean: 29.8 });
  });

  it('has nulls for no releases', () => {
    expect(latenessSummary([])).toEqual({
      count: 0,
      early: 0,
      min: null,
      p50: null,
      p95: null,
      p99: null,
      max: null,
      mean: null,
    });
  });
});

describe('dueOrder', () => {
  it('counts, per partition in offset order, records due before one released ahead of them', () => {
    const releases = [
      // partition 0, given out of offset order: offsets 0..3 due 10, 30, 20, 40 → offset 2 is late by 10
      rel(0, 3, 3, 40, 0),
      rel(0, 0, 0, 10, 0),
      rel(0, 2, 2, 20, 0),
      rel(0, 1, 1, 30, 0),
      // partition 1: in order
      rel(1, 0, 4, 5, 0),
      rel(1, 1, 5, 5, 0),
      // partition 2: offsets due 100, 50, 60 → two behind, the furthest by 50
      rel(2, 0, 6, 100, 0),
      rel(2, 1, 7, 50, 0),
      rel(2, 2, 8, 60, 0),
    ];
    expect(dueOrder(releases)).toEqual({
      outOfOrder: 3,
      maxBehindMs: 50,
      byPartition: {
        '0': { released: 4, outOfOrder: 1 },
        '1': { released: 2, outOfOrder: 0 },
        '2': { released: 3, outOfOrder: 2 },
      },
    });
  });
});

describe('releaseRate', () => {
  it('is records per second from the first release to the last', () => {
    const releases = Array.from({ length: 101 }, (_, i) => rel(0, i, i, 0, 1000 + i * 10));
    expect(releaseRate(releases)).toEqual({ firstAt: 1000, lastAt: 2000, perSecond: 101 });
  });

  it('has no rate for no releases', () => {
    expect(releaseRate([])).toEqual({ firstAt: null, lastAt: null, perSecond: null });
  });
});
