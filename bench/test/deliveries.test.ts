import { DeliveryTracker } from '../src/deliveries';
import type { Planned } from '../src/workload';

const planned = (index: number, priority: Planned['priority'], expected: number): Planned => ({
  index,
  userId: `u${index}`,
  category: 'c',
  priority,
  templateId: 'generic',
  channels: ['email'],
  data: {},
  expected,
});

describe('DeliveryTracker', () => {
  const plan = [planned(0, 'critical', 1), planned(1, 'low', 2), planned(2, 'low', 1)];

  it('matches by notification id or by the reference in an SMS text, and measures from the start', () => {
    const t = new DeliveryTracker('ABCD', plan);
    t.started(0, 1000, 'id-0');
    t.started(1, 1000, 'id-1');
    t.started(2, 2000);
    expect(
      t.add({ next: 3, at: [1010, 1100, 2500], ref: ['id-0', 'Ref ABCD-1 shipped', 'order ABCD-2'] }),
    ).toBe(3);
    expect(t.done).toBe(false);
    expect(t.add({ next: 4, at: [1200], ref: ['id-1'] })).toBe(1);
    expect(t.done).toBe(true);
    const r = t.report();
    expect(r).toMatchObject({
      expected: 4,
      delivered: 4,
      duplicates: 0,
      unmatched: 0,
      firstAt: 1010,
      lastAt: 2500,
    });
    expect(r.latencyMs).toMatchObject({ count: 4, min: 10, max: 500 });
    expect(r.byLane.critical).toMatchObject({ delivered: 1, latencyMs: { p50: 10 } });
    expect(r.byLane.low).toMatchObject({ delivered: 3, firstAt: 1100, lastAt: 2500 });
    expect(r.byLane.normal).toBeUndefined();
  });

  it('keeps an entry whose id is not known yet for the next page', () => {
    const t = new DeliveryTracker('ABCD', plan);
    t.started(0, 1000);
    expect(t.add({ next: 1, at: [1050], ref: ['id-0'] })).toBe(0);
    t.started(0, 1000, 'id-0');
    expect(t.add({ next: 1, at: [], ref: [] })).toBe(1);
    expect(t.report().latencyMs.p50).toBe(50);
  });

  it('counts more than expected as duplicates, unknown references as unmatched, and drops refused ones', () => {
    const t = new DeliveryTracker('ABCD', plan);
    t.started(0, 0, 'id-0');
    t.dropped(2);
    t.dropped(2);
    t.add({ next: 4, at: [1, 2, 3, 4], ref: ['id-0', 'id-0', 'stranger', 'Ref ABCD-2'] });
    expect(t.report()).toMatchObject({ expected: 3, delivered: 1, duplicates: 1, unmatched: 2 });
    expect(t.cursor).toBe(4);
  });
});
