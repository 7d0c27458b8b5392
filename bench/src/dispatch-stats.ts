import type { DispatchChannel } from './dispatch-workload';
import type { PhaseResult } from './phase';
import type { ProcessUsage } from './procstat';
import { ratePerSecond } from './stats';
import type { LatencySummary } from './stats';

/** (g)'s figures: pure arithmetic on a measured phase. */

/** One phase of (g): `replicas` processes of one channel's dispatcher, the sandbox at `latencyMs`. */
export interface DispatchPhaseSpec {
  name: string;
  channel: DispatchChannel;
  replicas: number;
  latencyMs: number;
}

export interface DispatchPhaseResult {
  name: string;
  channel: 'sms' | 'email';
  provider: 'twilio' | 'sendgrid';
  /** The topic the messages were produced to, without the phase's prefix. */
  topic: string;
  replicas: number;
  sandboxLatencyMs: number;
  /** DISPATCH_CONCURRENCY of each replica: provider calls in flight at once. */
  dispatchConcurrency: number;
  /** PROVIDER_RATE_LIMIT of each replica: 0, no limit. */
  providerRateLimit: number;
  messages: number;
  delivered: number;
  /** Messages the sandbox accepted more than once. */
  duplicates: number;
  /** Deliveries no message of the phase explains. */
  unmatched: number;
  complete: boolean;
  producedPerSecond: number | null;
  produceMs: number;
  firstDeliveryAt: number | null;
  lastDeliveryAt: number | null;
  /** From the first delivery to the last. */
  drainMs: number | null;
  /** Delivered per second from the first delivery to the last. */
  deliveredPerSecond: number | null;
  /** deliveredPerSecond over the replicas. */
  perProcessPerSecond: number | null;
  /** Delivered per second from the first record produced to the last delivery. */
  fromProducePerSecond: number | null;
  /** What the in-flight limit allows at this latency (null at 0 ms): concurrency × replicas / latency. */
  ceilingPerSecond: number | null;
  /** createdAt (the produce batch) → the sandbox accepting it: mostly time queued. */
  latencyMs: LatencySummary;
  dispatchers: ProcessUsage[];
  /** The replicas' CPU added up: 100 is one core. */
  dispatcherCpuPercent: number | null;
  /**
   * The replicas' CPU time per delivered message, in ms: what a message costs a dispatcher, which
   * other work on the machine changes less than it changes the rate.
   */
  dispatcherCpuMsPerMessage: number | null;
  /** The largest peak RSS of a replica. */
  dispatcherPeakRssMb: number | null;
  sandbox: ProcessUsage | null;
  processes: ProcessUsage[];
  machineBusyPercent: number | null;
  /**
   * The machine's busy share in CPU % (100 is one core) less every watched process's: PostgreSQL,
   * the registry, and anything else running on the machine.
   */
  otherCpuPercent: number | null;
  /** The unmeasured warm-up before the phase, on the same processes. */
  warmup: { messages: number; delivered: number; complete: boolean };
  durationMs: number;
}

export interface DispatchResult {
  phases: DispatchPhaseResult[];
}

/** concurrency × replicas sends, each held `latencyMs`: the most the in-flight limit lets through. */
export function ceilingPerSecond(concurrency: number, replicas: number, latencyMs: number): number | null {
  return latencyMs > 0 ? Math.round((concurrency * replicas * 1000) / latencyMs) : null;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export function dispatchFigures(
  spec: DispatchPhaseSpec,
  measured: PhaseResult,
  opts: {
    topic: string;
    concurrency: number;
    rateLimit: number;
    dispatcherNames: readonly string[];
    /** Cores of the machine, to turn its busy share into CPU %. */
    cpus: number;
    warmup: PhaseResult;
    durationMs: number;
  },
): DispatchPhaseResult {
  const d = measured.deliveries;
  const processes = measured.processes ?? [];
  const dispatchers = processes.filter((p) => opts.dispatcherNames.includes(p.name));
  const drainMs = d.firstAt !== null && d.lastAt !== null ? d.lastAt - d.firstAt : null;
  const rate = drainMs === null ? null : ratePerSecond(d.delivered, drainMs);
  const sms = spec.channel === 'SMS';
  const busy = measured.machineBusyPercent ?? null;
  const watched = processes.reduce((n, p) => n + p.cpuPercent, 0);
  return {
    name: spec.name,
    channel: sms ? 'sms' : 'email',
    provider: sms ? 'twilio' : 'sendgrid',
    topic: opts.topic,
    replicas: spec.replicas,
    sandboxLatencyMs: spec.latencyMs,
    dispatchConcurrency: opts.concurrency,
    providerRateLimit: opts.rateLimit,
    messages: measured.notifications,
    delivered: d.delivered,
    duplicates: d.duplicates,
    unmatched: d.unmatched,
    complete: measured.complete,
    producedPerSecond: measured.load.acceptedPerSecond,
    produceMs: measured.load.endedAt - measured.load.startedAt,
    firstDeliveryAt: d.firstAt,
    lastDeliveryAt: d.lastAt,
    drainMs,
    deliveredPerSecond: rate,
    perProcessPerSecond: rate === null ? null : round1(rate / spec.replicas),
    fromProducePerSecond: measured.deliveredPerSecond,
    ceilingPerSecond: ceilingPerSecond(opts.concurrency, spec.replicas, spec.latencyMs),
    latencyMs: d.latencyMs,
    dispatchers,
    dispatcherCpuPercent:
      dispatchers.length > 0 ? round1(dispatchers.reduce((n, p) => n + p.cpuPercent, 0)) : null,
    dispatcherCpuMsPerMessage:
      dispatchers.length > 0 && d.delivered > 0
        ? Math.round((dispatchers.reduce((n, p) => n + p.cpuSeconds, 0) / d.delivered) * 1e5) / 100
        : null,
    dispatcherPeakRssMb: dispatchers.length > 0 ? Math.max(...dispatchers.map((p) => p.peakRssMb)) : null,
    sandbox: processes.find((p) => p.name === 'sandbox') ?? null,
    processes,
    machineBusyPercent: busy,
    otherCpuPercent: busy === null ? null : Math.max(0, round1(busy * opts.cpus - watched)),
    warmup: {
      messages: opts.warmup.notifications,
      delivered: opts.warmup.deliveries.delivered,
      complete: opts.warmup.complete,
    },
    durationMs: opts.durationMs,
  };
}

/**
 * The replica phases of one channel at one latency, fewest replicas first, each with its rate as a
 * multiple of the single process's.
 */
export function scaling(
  phases: readonly DispatchPhaseResult[],
  channel: DispatchPhaseResult['channel'],
  latencyMs: number,
): { replicas: number; deliveredPerSecond: number | null; speedup: number | null }[] {
  const rows = phases
    .filter((p) => p.channel === channel && p.sandboxLatencyMs === latencyMs)
    .sort((a, b) => a.replicas - b.replicas);
  const one = rows.find((p) => p.replicas === 1)?.deliveredPerSecond ?? null;
  return rows.map((p) => ({
    replicas: p.replicas,
    deliveredPerSecond: p.deliveredPerSecond,
    speedup:
      one && p.deliveredPerSecond !== null ? Math.round((p.deliveredPerSecond / one) * 100) / 100 : null,
  }));
}
