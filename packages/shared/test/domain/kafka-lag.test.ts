import { partitionBacklog } from '../../src/domain/kafka-lag';

describe('partitionBacklog', () => {
  it('is the end minus the committed offset', () => {
    expect(partitionBacklog('40', { low: '0', high: '100' })).toEqual({ from: 40, lag: 60, committed: true });
    expect(partitionBacklog(100, { low: 0, high: 100 })).toEqual({ from: 100, lag: 0, committed: true });
  });

  it('counts from the log start where nothing is committed ("-1" or absent)', () => {
    expect(partitionBacklog('-1', { low: '30', high: '100' })).toEqual({
      from: 30,
      lag: 70,
      committed: false,
    });
    expect(partitionBacklog(undefined, { low: '30', high: '30' })).toEqual({
      from: 30,
      lag: 0,
      committed: false,
    });
  });

  it('is never below 0 (a commit ahead of a truncated or recreated log)', () => {
    expect(partitionBacklog('500', { low: '0', high: '100' }).lag).toBe(0);
  });

  it('is what lies between where the group goes on from and the end, for any offsets', () => {
    for (let i = 0; i < 500; i++) {
      const low = Math.floor(Math.random() * 1000);
      const high = low + Math.floor(Math.random() * 1000);
      const committed = Math.random() < 0.2 ? -1 : Math.floor(Math.random() * 2500);
      const { lag, from } = partitionBacklog(String(committed), { low: String(low), high: String(high) });
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(from).toBe(committed >= 0 ? committed : low);
      expect(lag).toBe(Math.max(0, high - (committed >= 0 ? committed : low)));
    }
  });
});
