import { DeliveryTracker } from './deliveries';
import type { DeliveryReport } from './deliveries';
import { startSampler } from './procstat';
import type { ProcessUsage, Watched } from './procstat';
import { startProgress } from './progress';
import type { Counters } from './progress';
import { ratePerSecond } from './stats';
import type { LatencySummary } from './stats';
import type { SandboxProcess } from './stack/sandbox';
import type { Planned } from './workload';

/** What a load generator reports once it has sent everything. */
export interface LoadStats {
  accepted: number;
  failed: number;
  /** Answer statuses of failed requests (or produce errors), by status. */
  failures: Record<string, number>;
  startedAt: number;
  endedAt: number;
  acceptedPerSecond: number | null;
  requests?: number;
  requestsPerSecond?: number | null;
  requestLatencyMs?: LatencySummary;
  /** Set when the phase could not run (e.g. the endpoint is missing). */
  skipped?: string;
}

export interface PhaseResult {
  name: string;
  description: string;
  sandboxLatencyMs: number;
  notifications: number;
  load: LoadStats;
  deliveries: DeliveryReport;
  /** Delivered messages per second from the first record sent to the last delivery. */
  deliveredPerSecond: number | null;
  /** Every expected message arrived (else the phase stopped after a stall). */
  complete: boolean;
  durationMs: number;
  processes?: ProcessUsage[];
  /** How busy the whole machine was (all cores, all processes): near 100 means CPU-starved. */
  machineBusyPercent?: number | null;
  skipped?: string;
}

export interface LoadContext {
  tracker: DeliveryTracker;
  counters: Counters;
}

/**
 * Runs one measured phase: clears the sandbox ledger, starts the load, follows the deliveries
 * page by page (with a progress line every few seconds), and stops when every expected message
 * arrived or nothing arrived for `stallMs`.
 */
export async function runPhase(opts: {
  name: string;
  description: string;
  tag: string;
  planned: readonly Planned[];
  sandbox: SandboxProcess;
  sandboxLatencyMs: number;
  watch?: readonly Watched[];
  sampleEveryMs: number;
  progressEveryMs: number;
  stallMs: number;
  print: (line: string) => void;
  load: (ctx: LoadContext) => Promise<LoadStats>;
}): Promise<PhaseResult> {
  await opts.sandbox.clearDeliveries();
  const tracker = new DeliveryTracker(opts.tag, opts.planned);
  const counters: Counters = { accepted: 0, failed: 0, delivered: 0, expected: tracker.expected };
  const label = `${opts.name} · sandbox ${opts.sandboxLatencyMs} ms`;
  const sampler = opts.watch ? startSampler(opts.watch, opts.sampleEveryMs) : undefined;
  const progress = startProgress(label, opts.progressEveryMs, () => counters, opts.print);
  const started = Date.now();
  let lastProgressAt = started;
  let polling = true;
  const poll = async () => {
    const page = await opts.sandbox.deliveries(tracker.cursor);
    if (tracker.add(page) > 0) lastProgressAt = Date.now();
    counters.delivered = tracker.delivered;
    counters.expected = tracker.expected;
  };
  const poller = (async () => {
    while (polling) {
      await poll().catch((err: unknown) => opts.print(`  (could not read the sandbox: ${String(err)})`));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();

  let load: LoadStats;
  try {
    load = await opts.load({ tracker, counters });
  } catch (err) {
    polling = false;
    await poller;
    progress.stop();
    sampler?.stop();
    throw err;
  }
  lastProgressAt = Math.max(lastProgressAt, Date.now());
  if (!load.skipped) {
    while (!tracker.done && Date.now() - lastProgressAt < opts.stallMs) {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  polling = false;
  await poller;
  await poll();
  progress.stop();
  const machineBusyPercent = sampler?.machineBusyPercent();
  const processes = sampler?.stop();
  const deliveries = tracker.report();
  const complete = tracker.done;
  if (!complete && !load.skipped)
    opts.print(
      `  [${label}] stopped after ${opts.stallMs / 1000} s without a delivery: ${tracker.delivered}/${tracker.expected} delivered`,
    );
  return {
    name: opts.name,
    description: opts.description,
    sandboxLatencyMs: opts.sandboxLatencyMs,
    notifications: opts.planned.length,
    load,
    deliveries,
    deliveredPerSecond:
      deliveries.lastAt === null
        ? null
        : ratePerSecond(deliveries.delivered, deliveries.lastAt - load.startedAt),
    complete,
    durationMs: Date.now() - started,
    ...(processes ? { processes, machineBusyPercent } : {}),
    ...(load.skipped ? { skipped: load.skipped } : {}),
  };
}
