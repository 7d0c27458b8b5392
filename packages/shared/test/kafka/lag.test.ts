import type { Admin } from 'kafkajs';
import { Gauge, Registry } from 'prom-client';
import pino from 'pino';
import { lagSampler, stallTracker } from '@herald/shared';

describe('stallTracker', () => {
  it('counts how long a partition has stood at one offset with records behind it', () => {
    const t = stallTracker();
    expect(t.observe('p0', 5, 3, 1000)).toBe(0);
    expect(t.observe('p0', 5, 3, 4000)).toBe(3000);
    expect(t.observe('p0', 5, 9, 9000)).toBe(8000);
    // The head moved: stillness starts again.
    expect(t.observe('p0', 6, 8, 10_000)).toBe(0);
    expect(t.observe('p0', 6, 8, 12_000)).toBe(2000);
    // Nothing waiting is never still, and forgets the head.
    expect(t.observe('p0', 6, 0, 20_000)).toBe(0);
    expect(t.observe('p0', 6, 2, 21_000)).toBe(0);
    expect(t.observe('p0', 6, 2, 22_000)).toBe(1000);
    // Partitions are kept apart.
    expect(t.observe('p1', 6, 2, 22_000)).toBe(0);
  });
});

describe('lagSampler', () => {
  /** An admin whose committed offsets and ends the test sets. */
  function fakeAdmin(state: { committed: Record<number, string>; high: Record<number, string> }): Admin {
    return {
      fetchOffsets: ({ topics }: { topics: string[] }) =>
        Promise.resolve(
          topics.map((topic) => ({
            topic,
            partitions: Object.entries(state.committed).map(([p, offset]) => ({
              partition: Number(p),
              offset,
            })),
          })),
        ),
      fetchTopicOffsets: () =>
        Promise.resolve(
          Object.entries(state.high).map(([p, high]) => ({
            partition: Number(p),
            offset: high,
            high,
            low: '0',
          })),
        ),
    } as unknown as Admin;
  }

  const setup = (allowanceMs: number | undefined) => {
    const registry = new Registry();
    const gauge = new Gauge({
      name: 'lag',
      help: 'lag',
      labelNames: ['group', 'topic'],
      registers: [registry],
    });
    const overdue = new Gauge({
      name: 'overdue',
      help: 'overdue',
      labelNames: ['group', 'topic'],
      registers: [registry],
    });
    const state = { committed: { 0: '10', 1: '-1' } as Record<number, string>, high: { 0: '15', 1: '4' } };
    const sample = lagSampler(
      {
        admin: fakeAdmin(state),
        gauge,
        intervalMs: 1000,
        log: pino({ level: 'silent' }),
        overdue: { gauge: overdue, allowanceMs: () => allowanceMs },
      },
      [{ groupId: 'g', topics: ['tier-5s'] }],
    );
    const read = async (g: Gauge) => (await g.get()).values.find((v) => v.labels.topic === 'tier-5s')?.value;
    return { state, sample, lag: () => read(gauge), overdue: () => read(overdue) };
  };

  it('sums the lag over partitions, counting a partition with nothing committed from its start', async () => {
    const s = setup(undefined);
    await s.sample(0);
    expect(await s.lag()).toBe(5 + 4);
    expect(await s.overdue()).toBeUndefined();
  });

  it('reports how long past its allowance the stillest partition has stood, and 0 once it moves', async () => {
    const s = setup(15_000);
    await s.sample(0);
    expect(await s.overdue()).toBe(0);
    await s.sample(15_000);
    expect(await s.overdue()).toBe(0);
    await s.sample(30_000);
    expect(await s.overdue()).toBe(15);
    s.state.committed = { 0: '15', 1: '4' };
    await s.sample(45_000);
    expect(await s.overdue()).toBe(0);
    expect(await s.lag()).toBe(0);
  });
});
