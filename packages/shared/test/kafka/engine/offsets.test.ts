import { OffsetTracker } from '../../../src/kafka/engine/offsets';

describe('OffsetTracker', () => {
  it('resolves only the unbroken run of finished records from the start', () => {
    const t = new OffsetTracker(['10', '11', '12', '13']);
    expect(t.finish(1)).toBeNull();
    expect(t.finish(3)).toBeNull();
    expect(t.finish(0)).toBe('11');
    expect(t.finish(2)).toBe('13');
    expect(t.complete).toBe(true);
  });

  it('never moves past an unfinished record, whatever the order (random orders)', () => {
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(Math.random() * 20);
      const offsets = Array.from({ length: n }, (_, i) => String(100 + i));
      const t = new OffsetTracker(offsets);
      const order = offsets.map((_, i) => i).sort(() => Math.random() - 0.5);
      const finished = new Set<number>();
      let resolved = -1;
      for (const i of order) {
        finished.add(i);
        const r = t.finish(i);
        if (r !== null) {
          const upTo = Number(r) - 100;
          expect(upTo).toBeGreaterThan(resolved);
          for (let j = 0; j <= upTo; j++) expect(finished.has(j)).toBe(true);
          resolved = upTo;
        }
      }
      expect(resolved).toBe(n - 1);
    }
  });

  it('refuses an index outside the batch', () => {
    expect(() => new OffsetTracker(['1']).finish(1)).toThrow(RangeError);
  });
});
