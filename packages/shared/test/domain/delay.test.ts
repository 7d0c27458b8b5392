import { holdUntil, nextStep, parseDuration, parseTiers, tierFor } from '../../src/domain/delay';

const tiers = parseTiers(['1h', '1s', '30s', '5s', '2m', '10m']);
const tier = (name: string) => {
  const t = tiers.find((x) => x.name === name);
  if (!t) throw new Error(name);
  return t;
};

describe('delay tiers', () => {
  it('parses durations and sorts the tiers shortest first', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    for (const bad of ['', '0s', '1', '1 s', '1.5s', '-1s', 's', '1w']) expect(parseDuration(bad)).toBeNull();
    expect(tiers.map((t) => t.name)).toEqual(['1s', '5s', '30s', '2m', '10m', '1h']);
  });

  it('refuses a list an operator got wrong, saying what is wrong', () => {
    expect(() => parseTiers([])).toThrow(/at least one delay tier/);
    expect(() => parseTiers(['1s', 'soon'])).toThrow(/"soon" is not a duration/);
    expect(() => parseTiers(['50ms'])).toThrow(/shorter than 100ms/);
    expect(() => parseTiers(['60s', '1m'])).toThrow(/"60s" and "1m" are the same duration/);
  });

  it('picks the longest tier not longer than the wait, and the shortest for a wait below it', () => {
    const cases: [number, string][] = [
      [0, '1s'],
      [400, '1s'],
      [1000, '1s'],
      [4999, '1s'],
      [5000, '5s'],
      [7000, '5s'],
      [29_999, '5s'],
      [30_000, '30s'],
      [119_000, '30s'],
      [600_000, '10m'],
      [3_599_999, '10m'],
      [3_600_000, '1h'],
      [86_400_000, '1h'],
    ];
    for (const [remaining, name] of cases)
      expect([remaining, tierFor(tiers, remaining).name]).toEqual([remaining, name]);
  });

  it('holds the last stretch until the due time, and ripens earlier ones after the tier or at due minus the shortest tier', () => {
    // Due in 0.4 s: the last stretch already.
    expect(holdUntil(tiers, tier('1s'), 0, 400)).toBe(400);
    expect(holdUntil(tiers, tier('1s'), 0, 1000)).toBe(1000);
    // Due in 1.5 s, in the 1 s tier: ripens when 1 s is left.
    expect(holdUntil(tiers, tier('1s'), 0, 1500)).toBe(500);
    // Due in 3 s: ripens after the tier (1 s), 2 s left.
    expect(holdUntil(tiers, tier('1s'), 0, 3000)).toBe(1000);
    // Due in 7 s, in the 5 s tier: ripens after 5 s.
    expect(holdUntil(tiers, tier('5s'), 0, 7000)).toBe(5000);
    // Due in 5.5 s, in the 5 s tier: ripens at 4.5 s, when 1 s is left.
    expect(holdUntil(tiers, tier('5s'), 0, 5500)).toBe(4500);
  });

  it('walks a message due in 7 s through 5s, then 1s, and releases it at its due time, never before', () => {
    const due = 7000;
    const path: string[] = [];
    let now = 0;
    let step = nextStep(tiers, due, now);
    while (step.kind === 'wait') {
      path.push(step.tier.name);
      now = holdUntil(tiers, step.tier, now, due);
      step = nextStep(tiers, due, now);
    }
    expect(path).toEqual(['5s', '1s', '1s']);
    expect(now).toBe(due);
  });

  it('releases every wait from 0 to 2 h exactly at its due time, in hops bounded by the ratios of neighbouring tiers (random waits)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) {
      const start = Math.floor(random() * 1e9);
      const due = start + Math.floor(random() * 7_200_000);
      let now = start;
      let hops = 0;
      for (let step = nextStep(tiers, due, now); step.kind === 'wait'; step = nextStep(tiers, due, now)) {
        const next = holdUntil(tiers, step.tier, now, due);
        expect(next).toBeGreaterThan(now - 1);
        expect(next).toBeLessThanOrEqual(due);
        now = next;
        hops++;
      }
      expect(now).toBe(due);
      // At most 2 in the 1h tier, then fewer than 10m/2m + 2m/30s + 30s/5s + 5s/1s, and the last stretch.
      expect(hops).toBeLessThanOrEqual(2 + 5 + 4 + 6 + 5 + 1);
    }
  });
});
