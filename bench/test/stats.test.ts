import { instantRate, percentile, ratePerSecond, summarize } from '../src/stats';

describe('percentile', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the nearest rank', () => {
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('is null for no values and refuses a percentile outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile(values, 101)).toThrow(RangeError);
    expect(() => percentile(values, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy and rounds to a tenth', () => {
    const input = [5, 1, 3, 2, 4.04];
    expect(summarize(input)).toEqual({ count: 5, min: 1, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
    expect(input).toEqual([5, 1, 3, 2, 4.04]);
  });

  it('sorts numerically, not as text', () => {
    expect(summarize([10, 9, 100]).p50).toBe(10);
  });

  it('has nulls for no values', () => {
    expect(summarize([])).toEqual({
      count: 0,
      min: null,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      mean: null,
    });
  });
});

describe('rates', () => {
  it('counts per second over a span in ms', () => {
    expect(ratePerSecond(500, 250)).toBe(2000);
    expect(ratePerSecond(1, 3000)).toBe(0.3);
    expect(ratePerSecond(10, 0)).toBeNull();
    expect(ratePerSecond(10, -5)).toBeNull();
  });

  it('gives the rate between two samples, none for the first', () => {
    expect(instantRate(undefined, { count: 10, at: 1000 })).toBeNull();
    expect(instantRate({ count: 10, at: 1000 }, { count: 40, at: 4000 })).toBe(10);
  });
});
