import { RateWindow } from '../../src/faults';

describe('RateWindow', () => {
  it('admits at most `limit` events in any window, however they arrive', () => {
    // Pseudo-random arrivals (a fixed LCG), checked against a brute-force count of every window.
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const window = new RateWindow(5);
    const admitted: number[] = [];
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      t += Math.floor(next() * 120);
      if (window.tryAdmit(t)) admitted.push(t);
    }
    const worst = Math.max(
      ...admitted.map((start) => admitted.filter((x) => x >= start && x < start + 1000).length),
    );
    expect(worst).toBe(5);
  });

  it('admits everything under the limit', () => {
    const window = new RateWindow(3);
    expect([0, 500, 1000, 1500, 2000].map((t) => window.tryAdmit(t))).toEqual([true, true, true, true, true]);
  });
});
