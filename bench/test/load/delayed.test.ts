import { planDelayed } from '../../src/load/delayed';

describe('planDelayed', () => {
  it('numbers the records, keys them by one of `keys` users and asks for each one its due offset', () => {
    let r = 0;
    const rand = () => ((r = (r + 0.37) % 1), r);
    const planned = planDelayed({ count: 500, keys: 7, rand, dueAfterMs: (seq) => 1000 + seq });
    expect(planned).toHaveLength(500);
    expect(planned.map((p) => p.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(planned.every((p) => p.dueAfterMs === 1000 + p.seq)).toBe(true);
    const keys = new Set(planned.map((p) => p.key));
    expect([...keys].every((k) => /^user-[0-6]$/.test(k))).toBe(true);
    expect(keys.size).toBeGreaterThan(1);
  });
});
