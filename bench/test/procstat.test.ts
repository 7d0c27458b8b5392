import { busiest, busyPercent, parseMachineStat, parseRss, parseStat } from '../src/procstat';

describe('/proc parsing', () => {
  it('reads utime and stime after a process name with spaces and parentheses', () => {
    const stat =
      '4242 (node (my app)) S 1 4242 4242 0 -1 4194560 1234 0 0 0 1500 250 0 0 20 0 11 0 99 1000 2000';
    expect(parseStat(stat)).toEqual({ utime: 1500, stime: 250 });
    expect(parseStat('garbage')).toBeNull();
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRss('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t   2048 kB\n')).toBe(2048 * 1024);
    expect(parseRss('Name:\tzombie\n')).toBeNull();
  });

  it('names the busiest process', () => {
    const u = (name: string, cpuPercent: number) => ({
      name,
      pid: 1,
      cpuSeconds: 0,
      cpuPercent,
      peakRssMb: 0,
      samples: 1,
    });
    expect(busiest([u('a', 10), u('b', 90), u('c', 50)])?.name).toBe('b');
    expect(busiest([])).toBeUndefined();
  });
});

describe('machine load', () => {
  it('reads busy and total jiffies, idle and iowait not busy', () => {
    expect(parseMachineStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n')).toEqual({
      busy: 150,
      total: 1000,
    });
    expect(parseMachineStat('intr 1 2 3')).toBeNull();
  });

  it('gives the busy share between two readings', () => {
    expect(busyPercent({ busy: 100, total: 1000 }, { busy: 400, total: 1400 })).toBe(75);
    expect(busyPercent(null, { busy: 1, total: 2 })).toBeNull();
    expect(busyPercent({ busy: 1, total: 2 }, { busy: 1, total: 2 })).toBeNull();
  });
});
