import { CircuitBreaker } from '@herald/shared/domain';
import type { BreakerChange, BreakerSettings } from '@herald/shared/domain';

const settings: BreakerSettings = {
  failureThreshold: 3,
  cooldownMs: 1000,
  halfOpenTrials: 2,
  successThreshold: 2,
};

function breaker(over: Partial<BreakerSettings> = {}) {
  const changes: BreakerChange[] = [];
  const b = new CircuitBreaker({ ...settings, ...over }, (c) => changes.push(c));
  const moves = () => changes.map((c) => `${c.from}->${c.to}`);
  return { b, changes, moves };
}

/** Fails `n` sends in a row from closed. */
function failTimes(b: CircuitBreaker, n: number, now: number): void {
  for (let i = 0; i < n; i++) {
    const p = b.acquire(now);
    if (p.allowed) b.failure(now, p.trial);
  }
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the streak', () => {
    const { b, moves } = breaker();
    failTimes(b, 2, 0);
    b.success(0, false);
    failTimes(b, 2, 0);
    expect(b.state(0)).toBe('closed');
    expect(b.acquire(0)).toEqual(expect.objectContaining({ allowed: true, trial: false }));
    expect(moves()).toEqual([]);
  });

  it('opens after N consecutive failures and refuses sends until the cool-down is over', () => {
    const { b, changes } = breaker();
    failTimes(b, 3, 100);
    expect(b.state(100)).toBe('open');
    expect(changes).toEqual([
      { from: 'closed', to: 'open', at: 100, why: '3 consecutive provider failures' },
    ]);
    expect(b.acquire(500)).toEqual({ allowed: false, retryAt: 1100 });
    expect(b.acquire(1099)).toEqual({ allowed: false, retryAt: 1100 });
  });

  it('goes half-open at the end of the cool-down exactly, and lets only the trials through', () => {
    const { b, moves } = breaker();
    failTimes(b, 3, 0);
    expect(b.acquire(1000)).toEqual(expect.objectContaining({ allowed: true, trial: true }));
    expect(b.acquire(1000)).toEqual(expect.objectContaining({ allowed: true, trial: true }));
    expect(b.acquire(1000)).toEqual({ allowed: false, retryAt: 1000 });
    expect(moves()).toEqual(['closed->open', 'open->half_open']);
  });

  it('closes after M trial successes', () => {
    const { b, moves } = breaker();
    failTimes(b, 3, 0);
    const t1 = b.acquire(1200);
    const t2 = b.acquire(1200);
    expect(t1.allowed && t2.allowed).toBe(true);
    b.success(1250, true);
    expect(b.state(1250)).toBe('half_open');
    // A third trial may go once a slot is free.
    expect(b.acquire(1250)).toEqual(expect.objectContaining({ allowed: true, trial: true }));
    b.success(1260, true);
    expect(b.state(1260)).toBe('closed');
    expect(moves()).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
    // Closed again: the streak starts from zero.
    failTimes(b, 2, 1300);
    expect(b.state(1300)).toBe('closed');
  });

  it('opens again when a trial fails, for another full cool-down', () => {
    const { b, moves } = breaker();
    failTimes(b, 3, 0);
    const t = b.acquire(1000);
    expect(t).toEqual(expect.objectContaining({ allowed: true, trial: true }));
    b.failure(1100, true);
    expect(b.state(1100)).toBe('open');
    expect(b.acquire(2099)).toEqual({ allowed: false, retryAt: 2100 });
    expect(b.acquire(2100)).toEqual(expect.objectContaining({ allowed: true, trial: true }));
    expect(moves()).toEqual(['closed->open', 'open->half_open', 'half_open->open', 'open->half_open']);
  });

  it('ignores results of sends that left before the circuit opened', () => {
    const { b } = breaker();
    const early = [b.acquire(0), b.acquire(0), b.acquire(0), b.acquire(0)];
    expect(early.every((p) => p.allowed)).toBe(true);
    failTimes(b, 3, 10);
    expect(b.state(10)).toBe('open');
    b.success(20, false); // an old send succeeding does not close it
    b.failure(30, false); // nor does an old failure extend the cool-down
    expect(b.state(20)).toBe('open');
    expect(b.acquire(1010)).toEqual(expect.objectContaining({ allowed: true, trial: true }));
  });

  it('frees a trial slot for a send that ended without a verdict on the provider', () => {
    const { b } = breaker({ halfOpenTrials: 1 });
    failTimes(b, 3, 0);
    const t = b.acquire(1000);
    expect(t).toEqual(expect.objectContaining({ allowed: true, trial: true }));
    expect(b.acquire(1000).allowed).toBe(false);
    b.release(true);
    expect(b.acquire(1000)).toEqual(expect.objectContaining({ allowed: true, trial: true }));
    expect(b.state(1000)).toBe('half_open');
  });

  it('refuses settings that are not whole numbers in range', () => {
    expect(() => new CircuitBreaker({ ...settings, failureThreshold: 0 })).toThrow(
      'failureThreshold must be an integer of at least 1 (got 0)',
    );
    expect(() => new CircuitBreaker({ ...settings, successThreshold: 1.5 })).toThrow('successThreshold');
    expect(new CircuitBreaker({ ...settings, cooldownMs: 0 }).state(0)).toBe('closed');
  });

  it('ignores a trial of an earlier half-open round that answers late', () => {
    const { b } = breaker({ halfOpenTrials: 1, successThreshold: 1 });
    failTimes(b, 3, 0);
    const stale = b.acquire(1000);
    expect(stale).toEqual({ allowed: true, trial: true, round: 1 });
    // The stale trial's round ends: a newer trial fails and opens the circuit again.
    b.release(true, 0); // a report for a round that never was changes nothing
    const fresh = b.acquire(1000);
    expect(fresh.allowed).toBe(false);
    b.failure(1100, true, 1);
    const next = b.acquire(2100);
    expect(next).toEqual({ allowed: true, trial: true, round: 2 });
    // Round 1's late success neither closes the circuit nor frees round 2's slot.
    b.success(2150, true, 1);
    expect(b.state(2150)).toBe('half_open');
    expect(b.acquire(2150).allowed).toBe(false);
    b.success(2200, true, 2);
    expect(b.state(2200)).toBe('closed');
  });
});
