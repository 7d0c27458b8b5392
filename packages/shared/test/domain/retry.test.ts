import { backoffBound, backoffMs, decideRetry, DEFAULT_RETRY_POLICY } from '../../src/domain/retry';
import type { RetryPolicy } from '../../src/domain/retry';

function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const policy: RetryPolicy = { baseMs: 1000, capMs: 60_000, maxAttempts: 8, jitter: 'full' };

describe('retry schedule', () => {
  it('doubles the bound from the base, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffBound(policy, n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(backoffBound(policy, 10_000)).toBe(60_000);
    expect(backoffBound(DEFAULT_RETRY_POLICY, 13)).toBe(3_600_000);
  });

  it('with full jitter, draws every wait from 0 to the bound and covers the range (10,000 samples)', () => {
    const random = seeded(42);
    for (const n of [1, 3, 6, 9]) {
      const bound = backoffBound(policy, n);
      const samples = Array.from({ length: 10_000 }, () => backoffMs(policy, n, random));
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...samples)).toBeLessThan(bound);
      expect(Math.min(...samples)).toBeLessThan(bound * 0.01);
      expect(Math.max(...samples)).toBeGreaterThan(bound * 0.99);
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      expect(Math.abs(mean - bound / 2)).toBeLessThan(bound * 0.02);
    }
  });

  it('with decorrelated jitter, stays between the base and three times the previous wait, and below the cap', () => {
    const random = seeded(7);
    const decorrelated = { ...policy, jitter: 'decorrelated' as const };
    let previous: number | undefined;
    for (let n = 1; n <= 5000; n++) {
      const wait = backoffMs(decorrelated, n, random, previous);
      expect(wait).toBeGreaterThanOrEqual(policy.baseMs);
      expect(wait).toBeLessThanOrEqual(Math.min(policy.capMs, 3 * (previous ?? policy.baseMs)));
      previous = wait;
    }
  });

  it('without jitter, waits the bound itself', () => {
    expect(backoffMs({ ...policy, jitter: 'none' }, 3, () => 0.5)).toBe(4000);
  });
});

describe('decideRetry', () => {
  const at = 1_000_000;
  const half = () => 0.5;
  const failed = { errorClass: 'transient' as const, attempts: 1, expiresAt: null };

  it('retries a transient failure after the schedule', () => {
    expect(decideRetry(failed, policy, at, half)).toEqual({ kind: 'retry', dueAt: at + 500, delayMs: 500 });
    expect(decideRetry({ ...failed, attempts: 7 }, policy, at, half)).toEqual({
      kind: 'retry',
      dueAt: at + 30_000,
      delayMs: 30_000,
    });
  });

  it('parks a permanent failure at once, expired or not', () => {
    expect(decideRetry({ ...failed, errorClass: 'permanent' }, policy, at, half)).toEqual({
      kind: 'park',
      why: 'permanent',
    });
    expect(
      decideRetry({ ...failed, errorClass: 'permanent', expiresAt: at - 1 }, policy, at, half).kind,
    ).toBe('park');
  });

  it('parks once the attempts are exhausted, and not one attempt before', () => {
    expect(decideRetry({ ...failed, attempts: 7 }, policy, at, half).kind).toBe('retry');
    expect(decideRetry({ ...failed, attempts: 8 }, policy, at, half)).toEqual({
      kind: 'park',
      why: 'attempts_exhausted',
    });
    expect(decideRetry({ ...failed, attempts: 9 }, { ...policy, maxAttempts: 1 }, at, half).kind).toBe(
      'park',
    );
  });

  it('ends expired a message whose expiry has passed or comes before its next attempt', () => {
    expect(decideRetry({ ...failed, expiresAt: at }, policy, at, half)).toEqual({
      kind: 'expire',
      dueAt: null,
    });
    expect(decideRetry({ ...failed, expiresAt: at + 500 }, policy, at, half)).toEqual({
      kind: 'expire',
      dueAt: at + 500,
    });
    expect(decideRetry({ ...failed, expiresAt: at + 501 }, policy, at, half).kind).toBe('retry');
    expect(decideRetry({ ...failed, attempts: 8, expiresAt: at - 1 }, policy, at, half).kind).toBe('expire');
  });
});
