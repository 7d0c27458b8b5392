import { compare, formatTable, pair, processTable } from '../src/report';
import type { PhaseResult } from '../src/phase';
import type { RelayResult } from '../src/scenarios/relay';
import type { ThroughputResult } from '../src/scenarios/throughput';
import { summarize } from '../src/stats';

const phase = (
  name: string,
  latency: number,
  deliveredPerSecond: number | null,
  cpu: number,
): PhaseResult => ({
  name,
  description: '',
  sandboxLatencyMs: latency,
  notifications: 10,
  load: { accepted: 10, failed: 0, failures: {}, startedAt: 0, endedAt: 1, acceptedPerSecond: 10 },
  deliveries: {
    expected: 10,
    delivered: 10,
    duplicates: 0,
    unmatched: 0,
    firstAt: 0,
    lastAt: 1,
    latencyMs: summarize([1]),
    byLane: {},
  },
  deliveredPerSecond,
  complete: true,
  durationMs: 1,
  processes: [
    { name: 'router', pid: 1, cpuSeconds: cpu / 100, cpuPercent: cpu, peakRssMb: 120.4, samples: 3 },
    { name: 'ingest', pid: 2, cpuSeconds: 0.1, cpuPercent: 10, peakRssMb: 90, samples: 3 },
  ],
});

describe('formatTable', () => {
  it('aligns the first column left and the others right', () => {
    expect(
      formatTable(
        ['a', 'num'],
        [
          ['xyz', '1'],
          ['b', '1234'],
        ],
      ),
    ).toBe(['a     num', '---  ----', 'xyz     1', 'b    1234'].join('\n'));
  });
});

describe('pair', () => {
  it('shows p50 / p99, rounding large values', () => {
    expect(pair(summarize([1.25, 2, 3]))).toBe('2.0 / 3.0');
    expect(pair(summarize([150, 1234.5]))).toBe('150 / 1235');
    expect(pair(summarize([]))).toBe('–');
    expect(pair(null)).toBe('–');
  });
});

describe('compare', () => {
  it("gives Herald's a1 at 0 ms as a ratio of the relay", () => {
    const a: ThroughputResult = {
      users: 1,
      devices: 0,
      warmup: phase('w', 0, 1, 1),
      phases: [phase('a1', 50, 100, 1), phase('a1', 0, 250, 1)],
    };
    const b = { deliveredPerSecond: 1000 } as RelayResult;
    expect(compare(a, b)).toEqual({
      heraldPhase: 'a1 @ sandbox 0 ms',
      heraldDeliveredPerSecond: 250,
      relayDeliveredPerSecond: 1000,
      ratio: 0.25,
    });
    expect(compare(undefined, b)).toBeUndefined();
  });
});

describe('processTable', () => {
  it('has a row per process and a column per phase', () => {
    const table = processTable([phase('a1', 0, 1, 97.4), phase('a2', 0, 1, 50)]) ?? '';
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/process .* a1@0ms .* a2@0ms/);
    expect(lines[2]).toMatch(/^router\s+97% 1\.0s 120MB\s+50% 0\.5s 120MB$/);
    expect(processTable([])).toBeUndefined();
  });
});
