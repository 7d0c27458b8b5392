import { scaling } from './dispatch-stats';
import type { DispatchPhaseResult, DispatchResult } from './dispatch-stats';
import { formatRate } from './progress';
import { cpu, formatTable, pair } from './table';

/** (g)'s section of the printed summary: pure formatting. */

function dispatcherCpu(p: DispatchPhaseResult): string {
  const total = cpu(p.dispatcherCpuPercent);
  if (p.dispatchers.length < 2) return total;
  return `${total} (${p.dispatchers.map((d) => d.cpuPercent.toFixed(0)).join('+')})`;
}

function dispatchRow(p: DispatchPhaseResult): string[] {
  return [
    p.name,
    `${p.channel} (${p.provider})`,
    String(p.replicas),
    `${p.sandboxLatencyMs} ms`,
    String(p.dispatchConcurrency),
    String(p.messages),
    `${p.delivered}${p.complete ? '' : ' (incomplete)'}`,
    String(p.duplicates),
    formatRate(p.deliveredPerSecond),
    formatRate(p.perProcessPerSecond),
    formatRate(p.ceilingPerSecond),
    pair(p.latencyMs),
    dispatcherCpu(p),
    p.dispatcherCpuMsPerMessage === null ? '–' : p.dispatcherCpuMsPerMessage.toFixed(2),
    p.dispatcherPeakRssMb === null ? '–' : `${p.dispatcherPeakRssMb.toFixed(0)} MB`,
    cpu(p.sandbox?.cpuPercent),
    cpu(p.processes.find((u) => u.name === 'kafka broker')?.cpuPercent),
    cpu(p.processes.find((u) => u.name === 'redis')?.cpuPercent),
    cpu(p.otherCpuPercent),
    cpu(p.machineBusyPercent),
  ];
}

const HEADERS = [
  'phase',
  'channel',
  'replicas',
  'sandbox',
  'in flight',
  'messages',
  'delivered',
  'twice',
  'delivered/s',
  'per process',
  'ceiling',
  'e2e p50/p99 ms',
  'dispatcher cpu',
  'cpu ms/msg',
  'peak rss',
  'sandbox cpu',
  'kafka',
  'redis',
  'other',
  'machine busy',
];

/** One row per phase, then how the rate grows with replicas at each latency that had several. */
export function dispatchText(g: DispatchResult): string[] {
  const first = g.phases[0];
  if (!first) return [];
  const out = [
    `(g) dispatchers alone: rendered messages produced to notify.channel.<channel>.normal once the replicas ` +
      `joined their group; delivered/s from the first delivery to the last; PROVIDER_RATE_LIMIT ${first.providerRateLimit} (off)`,
    formatTable(HEADERS, g.phases.map(dispatchRow)),
  ];
  const seen = new Set<string>();
  for (const p of g.phases) {
    const key = `${p.channel}@${p.sandboxLatencyMs}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rows = scaling(g.phases, p.channel, p.sandboxLatencyMs);
    if (rows.length < 2) continue;
    const steps = rows.map(
      (r) =>
        `${r.replicas}: ${formatRate(r.deliveredPerSecond)}${r.speedup === null || r.replicas === 1 ? '' : ` (×${r.speedup.toFixed(2)})`}`,
    );
    out.push(`(g) ${p.provider} at ${p.sandboxLatencyMs} ms by replicas: ${steps.join(' → ')}`);
  }
  return out;
}
