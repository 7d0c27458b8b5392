import { CHUNK_TRIES, chunkRetryDelayMs, finishedCounts } from '../../src/domain/replay-job';

describe('finishedCounts', () => {
  it('counts as skipped the letters that were no longer parked when their chunk came', () => {
    expect(finishedCounts({ count: 10, replayed: 6, skipped: 1, failed: 1 })).toEqual({
      count: 10,
      replayed: 6,
      skipped: 3,
      failed: 1,
    });
  });

  it('keeps counts that already add up', () => {
    const all = { count: 3, replayed: 2, skipped: 1, failed: 0 };
    expect(finishedCounts(all)).toEqual(all);
    expect(finishedCounts({ count: 0, replayed: 0, skipped: 0, failed: 0 }).skipped).toBe(0);
  });

  it('never lowers skipped', () => {
    expect(finishedCounts({ count: 2, replayed: 2, skipped: 1, failed: 0 }).skipped).toBe(1);
  });
});

describe('chunkRetryDelayMs', () => {
  it('doubles from one second up to thirty', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(chunkRetryDelayMs)).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it('gives up after a bounded wait (about a minute of outage)', () => {
    let total = 0;
    for (let n = 1; n < CHUNK_TRIES; n++) total += chunkRetryDelayMs(n);
    expect(total).toBeGreaterThanOrEqual(30_000);
    expect(total).toBeLessThanOrEqual(120_000);
  });
});
