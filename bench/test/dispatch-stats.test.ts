import { dispatchText } from '../src/dispatch-report';
import { ceilingPerSecond, dispatchFigures, scaling } from '../src/dispatch-stats';
import type { DispatchPhaseResult, DispatchPhaseSpec } from '../src/dispatch-stats';
import type { PhaseResult } from '../src/phase';
import { summarize } from '../src/stats';

const measured = (delivered: number, firstAt: number, lastAt: number, replicas: number): PhaseResult => ({
  name: 'g',
  description: '',
  sandboxLatencyMs: 50,
  notifications: delivered,
  load: {
    accepted: delivered,
    failed: 0,
    failures: {},
    startedAt: firstAt - 100,
    endedAt: firstAt + 400,
    acceptedPerSecond: 1000,
  },
  deliveries: {
    expected: delivered,
    delivered,
    duplicates: 1,
    unmatched: 0,
    firstAt,
    lastAt,
    latencyMs: summarize([10, 20]),
    byLane: {},
  },
  deliveredPerSecond: 1,
  complete: true,
  durationMs: 1,
  processes: [
    ...Array.from({ length: replicas }, (_, i) => ({
      name: replicas === 1 ? 'dispatcher-sms' : `dispatcher-sms (r${i + 1})`,
      pid: i + 1,
      cpuSeconds: 1,
      cpuPercent: 40 + i,
      peakRssMb: 100 + i,
      samples: 3,
    })),
    { name: 'sandbox', pid: 9, cpuSeconds: 1, cpuPercent: 60, peakRssMb: 80, samples: 3 },
  ],
  machineBusyPercent: 97,
});

const figures = (spec: DispatchPhaseSpec, delivered: number, spanMs: number): DispatchPhaseResult => {
  const phase = measured(delivered, 10_000, 10_000 + spanMs, spec.replicas);
  return dispatchFigures(spec, phase, {
    topic: 'notify.channel.sms.normal',
    concurrency: 200,
    rateLimit: 0,
    dispatcherNames: (phase.processes ?? []).map((p) => p.name).filter((n) => n !== 'sandbox'),
    cpus: 2,
    warmup: phase,
    durationMs: 1,
  });
};

describe('ceilingPerSecond', () => {
  it('is what the sends in flight allow at the latency, none at 0 ms', () => {
    expect(ceilingPerSecond(200, 1, 50)).toBe(4000);
    expect(ceilingPerSecond(200, 4, 50)).toBe(16_000);
    expect(ceilingPerSecond(200, 1, 0)).toBeNull();
  });
});

describe('dispatchFigures', () => {
  it('rates from the first delivery to the last, per process, and adds up the replicas', () => {
    const r = figures({ name: 'g3x2', channel: 'SMS', replicas: 2, latencyMs: 50 }, 6000, 2000);
    expect(r).toMatchObject({
      channel: 'sms',
      provider: 'twilio',
      replicas: 2,
      dispatchConcurrency: 200,
      providerRateLimit: 0,
      messages: 6000,
      delivered: 6000,
      duplicates: 1,
      drainMs: 2000,
      deliveredPerSecond: 3000,
      perProcessPerSecond: 1500,
      ceilingPerSecond: 8000,
      dispatcherCpuPercent: 81,
      // One CPU second per replica, over 6,000 messages.
      dispatcherCpuMsPerMessage: 0.33,
      dispatcherPeakRssMb: 101,
      machineBusyPercent: 97,
      // 194 % of two cores, of which the replicas (81 %) and the sandbox (60 %) are watched.
      otherCpuPercent: 53,
      produceMs: 500,
    });
    expect(r.dispatchers.map((d) => d.name)).toEqual(['dispatcher-sms (r1)', 'dispatcher-sms (r2)']);
    expect(r.sandbox?.cpuPercent).toBe(60);
  });
});

describe('scaling and dispatchText', () => {
  const phases = [
    figures({ name: 'g1', channel: 'SMS', replicas: 1, latencyMs: 0 }, 3000, 1000),
    figures({ name: 'g2', channel: 'SMS', replicas: 1, latencyMs: 50 }, 4000, 2000),
    figures({ name: 'g3x2', channel: 'SMS', replicas: 2, latencyMs: 50 }, 6000, 2000),
    figures({ name: 'g3x4', channel: 'SMS', replicas: 4, latencyMs: 50 }, 7000, 2000),
  ];

  it('compares each replica count with the single process at the same latency', () => {
    expect(scaling(phases, 'sms', 50)).toEqual([
      { replicas: 1, deliveredPerSecond: 2000, speedup: 1 },
      { replicas: 2, deliveredPerSecond: 3000, speedup: 1.5 },
      { replicas: 4, deliveredPerSecond: 3500, speedup: 1.75 },
    ]);
  });

  it('prints a row per phase and the scaling line', () => {
    const text = dispatchText({ phases }).join('\n');
    expect(text).toMatch(/PROVIDER_RATE_LIMIT 0 \(off\)/);
    expect(text).toMatch(/^g3x4 +sms \(twilio\) +4 +50 ms +200 +7000 +7000 +1 +3\.5k\/s +875\/s +16k\/s/m);
    expect(text).toMatch(/166% \(40\+41\+42\+43\)/);
    expect(text).toContain(
      '(g) twilio at 50 ms by replicas: 1: 2.0k/s → 2: 3.0k/s (×1.50) → 4: 3.5k/s (×1.75)',
    );
    expect(text).not.toMatch(/at 0 ms by replicas/);
    expect(dispatchText({ phases: [] })).toEqual([]);
  });
});
