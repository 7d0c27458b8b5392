import type { PhaseResult } from './phase';
import type { ProcessUsage } from './procstat';
import { busiest } from './procstat';
import { formatRate } from './progress';
import type { LatenessSummary } from './delay-stats';
import { dispatchText } from './dispatch-report';
import type { DispatchResult } from './dispatch-stats';
import type { DelayPhaseResult, DelayResult } from './scenarios/delay';
import type { IsolationResult } from './scenarios/isolation';
import type { RelayResult } from './scenarios/relay';
import type { RouterResult } from './scenarios/router';
import type { ThroughputResult } from './scenarios/throughput';
import { formatTable, ms, pair } from './table';

export { formatTable, pair } from './table';

/** The human summary printed at the end: pure formatting of the results. */

export interface Comparison {
  heraldPhase: string;
  heraldDeliveredPerSecond: number | null;
  relayDeliveredPerSecond: number | null;
  /** Herald's delivered/s as a fraction of the bare relay's. */
  ratio: number | null;
}

export function compare(a: ThroughputResult | undefined, b: RelayResult | undefined): Comparison | undefined {
  if (!a || !b) return undefined;
  const phase =
    a.phases.find((p) => p.name === 'a1' && p.sandboxLatencyMs === 0) ??
    a.phases.find((p) => p.name === 'a1');
  if (!phase) return undefined;
  const herald = phase.deliveredPerSecond;
  const relay = b.deliveredPerSecond;
  return {
    heraldPhase: `a1 @ sandbox ${phase.sandboxLatencyMs} ms`,
    heraldDeliveredPerSecond: herald,
    relayDeliveredPerSecond: relay,
    ratio: herald !== null && relay ? Math.round((herald / relay) * 1000) / 1000 : null,
  };
}

/** p50 / p95 / p99 / max of a lateness summary. */
export function lateness(s: LatenessSummary): string {
  const { p50, p95, p99, max } = s;
  if (s.count === 0 || p50 === null || p95 === null || p99 === null || max === null) return '–';
  return [p50, p95, p99, max].map(ms).join(' / ');
}

function delayRow(p: DelayPhaseResult): string[] {
  const cpu = (u: { cpuPercent: number } | null) => (u ? `${u.cpuPercent.toFixed(0)}%` : '–');
  return [
    `${p.name} ${p.name === 'e1' ? 'release accuracy' : 'forwarding'}`,
    String(p.records),
    `${p.released}${p.complete ? '' : ' (incomplete)'}`,
    String(p.latenessMs.early),
    String(p.duplicates),
    lateness(p.latenessMs),
    `${p.dueOrder.outOfOrder} (≤ ${p.dueOrder.maxBehindMs} ms)`,
    formatRate(p.releasedPerSecond),
    p.tierWritesPerRecord === null ? '–' : p.tierWritesPerRecord.toFixed(2),
    `${cpu(p.dlq)} / ${cpu(p.dlqReleasing)}`,
    p.dlq ? `${p.dlq.peakRssMb.toFixed(0)} MB` : '–',
  ];
}

/** (e)'s section: one row per phase, then each phase's out-of-order count by target partition. */
export function delayText(e: DelayResult): string[] {
  const phases = [e.accuracy, e.throughput].filter((p): p is DelayPhaseResult => p !== undefined);
  const first = phases[0];
  if (!first) return [];
  const out = [
    `(e) delay engine: one dlq process per phase, released to ${first.target}, which nothing consumes`,
    ...phases.map((p) => `${p.name}: ${p.description}`),
    formatTable(
      [
        'phase',
        'records',
        'released',
        'early',
        'twice',
        'late p50/p95/p99/max ms',
        'out of due order',
        'released/s',
        'tier writes/rec',
        'dlq cpu all/releasing',
        'dlq peak rss',
      ],
      phases.map(delayRow),
    ),
  ];
  for (const p of phases) {
    const parts = Object.entries(p.dueOrder.byPartition).map(
      ([partition, c]) => `p${partition} ${c.outOfOrder}/${c.released}`,
    );
    if (parts.length > 0)
      out.push(`${p.name} out of due order / released, by target partition: ${parts.join(' ')}`);
  }
  return out;
}

/** (f)'s section: decisions per second, the router's CPU, and what it decided. */
export function routerText(f: RouterResult): string[] {
  const router = f.router;
  const out = [
    `(f) router alone, every decision active (dedup, rules, preferences, quiet hours, caps): ${f.users} users`,
    formatTable(
      ['requests', 'decided', 'decisions/s', 'produced/s', 'router cpu', 'router peak rss', 'machine busy'],
      [
        [
          String(f.requests),
          `${f.decided}${f.complete ? '' : ' (incomplete)'}`,
          formatRate(f.decisionsPerSecond),
          formatRate(f.producedPerSecond),
          router ? `${router.cpuPercent.toFixed(0)}%` : '–',
          router ? `${router.peakRssMb.toFixed(0)} MB` : '–',
          f.machineBusyPercent === null ? '–' : `${f.machineBusyPercent.toFixed(0)}%`,
        ],
      ],
    ),
  ];
  const outcomes = Object.entries(f.outcomes).map(([k, n]) => `${k} ${n}`);
  if (outcomes.length > 0) out.push(`(f) decisions: ${outcomes.join(', ')}`);
  return out;
}

function top(usage: readonly ProcessUsage[] | undefined): string {
  const b = usage && busiest(usage);
  return b ? `${b.name} ${b.cpuPercent.toFixed(0)}%` : '–';
}

function phaseRow(p: PhaseResult): string[] {
  const d = p.deliveries;
  if (p.skipped)
    return [p.name, `${p.sandboxLatencyMs} ms`, `skipped: ${p.skipped}`, '', '', '', '', '', '', ''];
  return [
    p.name,
    `${p.sandboxLatencyMs} ms`,
    String(p.notifications),
    formatRate(p.load.acceptedPerSecond),
    p.load.requestsPerSecond === undefined ? '–' : formatRate(p.load.requestsPerSecond),
    pair(p.load.requestLatencyMs),
    `${d.delivered}/${d.expected}${p.complete ? '' : ' (incomplete)'}`,
    formatRate(p.deliveredPerSecond),
    pair(d.latencyMs),
    top(p.processes),
  ];
}

const PHASE_HEADERS = [
  'phase',
  'sandbox',
  'notifications',
  'accepted/s',
  'req/s',
  'req p50/p99 ms',
  'delivered',
  'delivered/s',
  'e2e p50/p99 ms',
  'busiest process',
];

/**
 * Every name once, in the order of the lists: a name that only a later list has goes after the
 * name it follows there (`router (critical)` after `router`), not at the end.
 */
export function mergeOrder(lists: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  for (const list of lists) {
    let at = 0;
    for (const name of list) {
      const i = out.indexOf(name);
      if (i >= 0) {
        at = i + 1;
      } else {
        out.splice(at, 0, name);
        at += 1;
      }
    }
  }
  return out;
}

/** CPU % and peak RSS of every process, one column per phase (a process a phase lacks shows –). */
export function processTable(phases: readonly PhaseResult[]): string | undefined {
  const measured = phases.filter((p) => p.processes && !p.skipped);
  if (measured.length === 0) return undefined;
  const names = mergeOrder(measured.map((p) => (p.processes ?? []).map((u) => u.name)));
  const rows = names.map((name) => [
    name,
    ...measured.map((p) => {
      const u = p.processes?.find((x) => x.name === name);
      return u ? `${u.cpuPercent.toFixed(0)}% ${u.cpuSeconds.toFixed(1)}s ${u.peakRssMb.toFixed(0)}MB` : '–';
    }),
  ]);
  rows.push([
    'whole machine (busy % of all cores)',
    ...measured.map((p) => (p.machineBusyPercent == null ? '–' : `${p.machineBusyPercent.toFixed(0)}%`)),
  ]);
  return formatTable(
    ['process (cpu% cpu-s peak-rss)', ...measured.map((p) => `${p.name}@${p.sandboxLatencyMs}ms`)],
    rows,
  );
}

export function summaryText(r: {
  a?: ThroughputResult;
  b?: RelayResult;
  /** One result per layout that ran. */
  c?: readonly IsolationResult[];
  e?: DelayResult;
  f?: RouterResult;
  g?: DispatchResult;
  comparison?: Comparison;
  errors: { scenario: string; message: string }[];
}): string {
  const out: string[] = [];
  if (r.a) {
    out.push(`(a) Herald, ${r.a.users} users, ${r.a.devices} devices`);
    out.push(formatTable(PHASE_HEADERS, r.a.phases.map(phaseRow)));
    const procs = processTable(r.a.phases);
    if (procs) out.push('', '(d) processes during (a)', procs);
  }
  if (r.b) {
    out.push(
      '',
      `(b) bare kafkajs relay, ${r.b.records} records of ${r.b.meanRecordBytes} B, ${r.b.partitionsConsumedConcurrently} partitions at once`,
      formatTable(
        ['produced/s', 'delivered', 'delivered/s', 'e2e p50/p99 ms', 'busiest process', 'machine busy'],
        [
          [
            formatRate(r.b.producedPerSecond),
            `${r.b.delivered}/${r.b.records}${r.b.complete ? '' : ' (incomplete)'}`,
            formatRate(r.b.deliveredPerSecond),
            pair(r.b.latencyMs),
            top(r.b.processes),
            r.b.machineBusyPercent === null ? '–' : `${r.b.machineBusyPercent.toFixed(0)}%`,
          ],
        ],
      ),
    );
  }
  if (r.comparison) {
    const c = r.comparison;
    out.push(
      '',
      `Herald ${c.heraldPhase}: ${formatRate(c.heraldDeliveredPerSecond)} delivered = ${c.ratio === null ? '–' : c.ratio.toFixed(3)} × the bare relay (${formatRate(c.relayDeliveredPerSecond)})`,
    );
  }
  const first = r.c?.[0];
  if (r.c && first) {
    out.push(
      '',
      `(c) priority isolation: ${first.backlog} low queued, then ${first.critical} critical at ${first.criticalPerSecond}/s, in each layout`,
      formatTable(
        [
          'layout',
          'critical e2e p50/p99 ms',
          'low e2e p50/p99 ms',
          'low drain/s',
          'low drained in',
          'delivered',
          'busiest process',
        ],
        r.c.map((c) => [
          c.layout,
          pair(c.criticalLatencyMs),
          pair(c.lowLatencyMs),
          formatRate(c.lowDrainPerSecond),
          c.lowDrainSeconds === null ? '–' : `${c.lowDrainSeconds} s`,
          `${c.phase.deliveries.delivered}/${c.phase.deliveries.expected}${c.phase.complete ? '' : ' (incomplete)'}`,
          top(c.phase.processes),
        ]),
      ),
    );
    const width = Math.max(...r.c.map((c) => c.layout.length)) + 1;
    for (const c of r.c) {
      const st = c.criticalStagesMs;
      if (st)
        out.push(
          `critical stages p50/p99 ms, ${`${c.layout}:`.padEnd(width)} accepted → routed ${pair(st.toRouted)}, routed → sent ${pair(st.routedToSent)}`,
        );
    }
    const cProcs = processTable(r.c.map((c) => c.phase));
    if (cProcs) out.push('', '(c) processes, one column per layout', cProcs);
  }
  const e = r.e ? delayText(r.e) : [];
  if (e.length > 0) out.push('', ...e);
  if (r.f) out.push('', ...routerText(r.f));
  const g = r.g ? dispatchText(r.g) : [];
  if (g.length > 0) out.push('', ...g);
  for (const err of r.errors) out.push('', `(${err.scenario}) FAILED: ${err.message}`);
  return out.join('\n');
}
