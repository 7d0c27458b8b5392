import { latenessSummary } from '../src/delay-stats';
import { compare, delayText, formatTable, mergeOrder, pair, processTable, summaryText } from '../src/report';
import type { DelayPhaseResult } from '../src/scenarios/delay';
import type { PhaseResult } from '../src/phase';
import type { IsolationResult } from '../src/scenarios/isolation';
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

describe('mergeOrder', () => {
  it("keeps every name once, a later list's new names after the name they follow", () => {
    expect(
      mergeOrder([
        ['ingest', 'router', 'dlq', 'sandbox'],
        ['ingest', 'router', 'router (critical)', 'dlq', 'sandbox'],
      ]),
    ).toEqual(['ingest', 'router', 'router (critical)', 'dlq', 'sandbox']);
    expect(mergeOrder([['b'], ['a', 'b', 'c']])).toEqual(['a', 'b', 'c']);
    expect(mergeOrder([])).toEqual([]);
  });
});

describe('summaryText, scenario (c)', () => {
  const isolation = (layout: 'single' | 'split', criticalP99: number, extra: string[]): IsolationResult => {
    const p = phase(`c·${layout}`, 0, 100, 80);
    return {
      layout,
      backlog: 5000,
      critical: 50,
      criticalPerSecond: 10,
      backlogProducedPerSecond: 20_000,
      criticalLatencyMs: summarize([10, criticalP99]),
      lowLatencyMs: summarize([1000, 4000]),
      lowDrainPerSecond: 1500,
      lowDrainSeconds: 3.3,
      criticalStagesMs: { toRouted: summarize([4]), routedToSent: summarize([6]) },
      phase: {
        ...p,
        processes: [
          ...(p.processes ?? []).slice(0, 1),
          ...extra.map((name, i) => ({
            name,
            pid: 10 + i,
            cpuSeconds: 0.2,
            cpuPercent: 5,
            peakRssMb: 80,
            samples: 3,
          })),
          ...(p.processes ?? []).slice(1),
        ],
      },
    };
  };

  it('has a row per layout, the critical stages of each, and a process column per layout', () => {
    const text = summaryText({
      c: [isolation('single', 900, []), isolation('split', 40, ['router (critical)'])],
      errors: [{ scenario: 'c·other', message: 'boom' }],
    });
    const lines = text.split('\n');
    expect(lines).toContain(
      '(c) priority isolation: 5000 low queued, then 50 critical at 10/s, in each layout',
    );
    expect(text).toMatch(/^layout\s+critical e2e p50\/p99 ms/m);
    expect(text).toMatch(/^single\s+10\.0 \/ 900\s+1000 \/ 4000\s+1\.5k\/s\s+3\.3 s\s+10\/10\s+router 80%$/m);
    expect(text).toMatch(/^split\s+10\.0 \/ 40\.0\s/m);
    expect(lines.filter((l) => l.startsWith('critical stages'))).toEqual([
      'critical stages p50/p99 ms, single: accepted → routed 4.0 / 4.0, routed → sent 6.0 / 6.0',
      'critical stages p50/p99 ms, split:  accepted → routed 4.0 / 4.0, routed → sent 6.0 / 6.0',
    ]);
    const procs = lines.slice(lines.indexOf('(c) processes, one column per layout') + 1);
    expect(procs[0]).toMatch(/process .* c·single@0ms .* c·split@0ms$/);
    expect(procs[2]).toMatch(/^router\s+80% 0\.8s 120MB\s+80% 0\.8s 120MB$/);
    expect(procs[3]).toMatch(/^router \(critical\)\s+–\s+5% 0\.2s 80MB$/);
    expect(procs[4]).toMatch(/^ingest\s/);
    expect(text).toMatch(/\(c·other\) FAILED: boom$/);
  });

  it('leaves (c) out when no layout ran', () => {
    expect(summaryText({ c: [], errors: [] })).toBe('');
  });
});

describe('delayText, scenario (e)', () => {
  const delayPhase = (name: 'e1' | 'e2', complete: boolean): DelayPhaseResult => ({
    name,
    description: `${name} records`,
    records: 100,
    target: 'notify.channel.email.low',
    producedPerSecond: 1000,
    produceMs: 100,
    producedAfterDue: 0,
    released: complete ? 100 : 90,
    duplicates: 0,
    complete,
    latenessMs: latenessSummary([
      { partition: 0, offset: 0, seq: 0, dueAt: 0, releasedAt: 12 },
      { partition: 1, offset: 0, seq: 1, dueAt: 0, releasedAt: 340 },
    ]),
    dueOrder: { outOfOrder: 1, maxBehindMs: 80, byPartition: { '0': { released: 60, outOfOrder: 1 } } },
    firstReleaseAt: 0,
    lastReleaseAt: 1000,
    releasedPerSecond: 2500,
    tierRecords: { '1s': 100 },
    tierWritesPerRecord: 1.25,
    dlq: null,
    dlqReleasing: null,
    processes: [],
    machineBusyPercent: null,
    durationMs: 2000,
  });

  it('has a row per phase that ran, with lateness, order, rate and tier writes', () => {
    const text = delayText({ accuracy: delayPhase('e1', true), throughput: delayPhase('e2', false) }).join(
      '\n',
    );
    expect(text).toContain('released to notify.channel.email.low');
    expect(text).toMatch(
      /e1 release accuracy +100 +100 +0 +0 +12\.0 \/ 340 \/ 340 \/ 340 +1 \(≤ 80 ms\) +2\.5k\/s +1\.25/,
    );
    expect(text).toContain('90 (incomplete)');
    expect(text).toContain('e2 out of due order / released, by target partition: p0 1/60');
  });

  it('is empty when neither phase ran', () => {
    expect(delayText({})).toEqual([]);
  });
});
