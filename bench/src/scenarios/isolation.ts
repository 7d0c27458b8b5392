import { createCodec, createProducer } from '@herald/shared';
import type { Pool } from '@herald/shared';
import type { BenchContext } from '../context';
import { infraProcesses } from '../context';
import { encodeSlice } from '../load/produce';
import { runPhase } from '../phase';
import type { PhaseResult } from '../phase';
import { insertUsers } from '../seed';
import { ratePerSecond } from '../stats';
import { summarize } from '../stats';
import type { LatencySummary } from '../stats';
import { startHerald } from '../stack/herald';
import type { StackLayout } from '../stack/herald';
import { makeUsers, phaseTag, planNotifications } from '../workload';
import { stopStack } from './throughput';

export interface IsolationResult {
  /** How the services ran: `single` (one process each) or `split` (a replica for critical alone). */
  layout: StackLayout;
  backlog: number;
  critical: number;
  criticalPerSecond: number;
  /** Produced to Kafka per second while queuing the low backlog. */
  backlogProducedPerSecond: number | null;
  criticalLatencyMs: LatencySummary | null;
  lowLatencyMs: LatencySummary | null;
  /** Low messages delivered per second between the first and last low delivery. */
  lowDrainPerSecond: number | null;
  lowDrainSeconds: number | null;
  /** Where a critical notification's time went, from its status events (clocks of one machine). */
  criticalStagesMs: { toRouted: LatencySummary; routedToSent: LatencySummary } | null;
  phase: PhaseResult;
}

/** ACCEPTED (createdAt) → ROUTED (router) → SENT (dispatcher) for each critical notification. */
async function criticalStages(pool: Pool): Promise<IsolationResult['criticalStagesMs']> {
  const { rows } = await pool.query<{ created: Date | null; routed: Date | null; sent: Date | null }>(
    `SELECT n.created_at AS created,
            MIN(e.at) FILTER (WHERE e.status = 'ROUTED') AS routed,
            MIN(e.at) FILTER (WHERE e.status = 'SENT') AS sent
       FROM notifications n JOIN notification_events e ON e.notification_id = n.id
      WHERE n.priority = 'CRITICAL'
      GROUP BY n.id, n.created_at`,
  );
  const toRouted: number[] = [];
  const routedToSent: number[] = [];
  for (const r of rows) {
    if (r.created && r.routed) toRouted.push(r.routed.getTime() - r.created.getTime());
    if (r.routed && r.sent) routedToSent.push(r.sent.getTime() - r.routed.getTime());
  }
  return rows.length === 0 ? null : { toRouted: summarize(toRouted), routedToSent: summarize(routedToSent) };
}

/** Short and safe: it goes into topic prefixes, database names and the log folder. */
const STACK_LABELS: Record<StackLayout, string> = { single: 'c', split: 'cs' };

/** The phase's name, and the scenario's name in errors: `c·single`, `c·split`. */
export function isolationName(layout: StackLayout): string {
  return `c·${layout}`;
}

/**
 * Scenario (c): a backlog of `low` notifications is produced first, then `critical` ones trickle
 * in while it drains; a lane that waited behind the backlog would show in the critical latency.
 * `layout` says how the services run: one process each, or the laned ones split in two replicas.
 */
export async function runIsolation(ctx: BenchContext, layout: StackLayout): Promise<IsolationResult> {
  const { isolation } = ctx.settings;
  const name = isolationName(layout);
  ctx.print(
    layout === 'split'
      ? `(${name}) starting Herald, router and dispatchers split (a replica for critical alone), on a prefix and database of its own`
      : `(${name}) starting Herald, one process per service, on a prefix and database of its own`,
  );
  const stack = await startHerald({
    label: STACK_LABELS[layout],
    root: ctx.root,
    env: ctx.env,
    logDir: ctx.logDir,
    layout,
  });
  const unregister = ctx.onInterrupt(() => stack.stop());
  const producer = createProducer(stack.kafka);
  try {
    const users = makeUsers(ctx.settings.users, ctx.rand);
    await insertUsers(stack.pool, users);
    await producer.connect();
    const codec = createCodec(ctx.env.registryUrl);
    await stack.sandbox.setLatency(0);

    const tag = phaseTag(ctx.rand);
    const criticalCount = isolation.criticalPerSecond * isolation.criticalSeconds;
    const low = planNotifications({ count: isolation.backlog, users, rand: ctx.rand, tag, lane: 'low' });
    const critical = planNotifications({
      count: criticalCount,
      users,
      rand: ctx.rand,
      tag,
      lane: 'critical',
      firstIndex: low.length,
    });
    let backlogProducedPerSecond: number | null = null;
    const phase = await runPhase({
      name,
      description: `${isolation.backlog} low queued first, then ${isolation.criticalPerSecond}/s critical for ${isolation.criticalSeconds} s`,
      tag,
      planned: [...low, ...critical],
      sandbox: stack.sandbox,
      sandboxLatencyMs: 0,
      watch: [...stack.processes(), ...infraProcesses(ctx.root)],
      sampleEveryMs: ctx.settings.sampleEveryMs,
      progressEveryMs: ctx.settings.progressEveryMs,
      stallMs: ctx.settings.stallMs,
      print: ctx.print,
      load: async (lc) => {
        const startedAt = Date.now();
        const send = async (slice: typeof low) => {
          const byTopic = await encodeSlice(codec, stack.topics, slice, (p, id, at) =>
            lc.tracker.started(p.index, at, id),
          );
          await producer.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
          lc.counters.accepted += slice.length;
        };
        for (let i = 0; i < low.length; i += ctx.settings.produceBatch)
          await send(low.slice(i, i + ctx.settings.produceBatch));
        backlogProducedPerSecond = ratePerSecond(low.length, Date.now() - startedAt);
        // One critical notification every 1/rate seconds, each its own produce request, on a fixed schedule.
        const trickleStart = Date.now();
        for (let k = 0; k < critical.length; k++) {
          const due = trickleStart + (k * 1000) / isolation.criticalPerSecond;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          await send(critical.slice(k, k + 1));
        }
        const endedAt = Date.now();
        return {
          accepted: lc.counters.accepted,
          failed: 0,
          failures: {},
          startedAt,
          endedAt,
          acceptedPerSecond: ratePerSecond(lc.counters.accepted, endedAt - startedAt),
        };
      },
    });
    const lane = phase.deliveries.byLane;
    const criticalStagesMs = await criticalStages(stack.pool).catch(() => null);
    const lowLane = lane.low;
    return {
      layout,
      backlog: low.length,
      critical: critical.length,
      criticalPerSecond: isolation.criticalPerSecond,
      backlogProducedPerSecond,
      criticalLatencyMs: lane.critical?.latencyMs ?? null,
      lowLatencyMs: lowLane?.latencyMs ?? null,
      lowDrainPerSecond: lowLane?.drainPerSecond ?? null,
      lowDrainSeconds:
        lowLane?.firstAt != null && lowLane.lastAt != null
          ? Math.round((lowLane.lastAt - lowLane.firstAt) / 100) / 10
          : null,
      criticalStagesMs,
      phase,
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    unregister();
    await stopStack(ctx, stack);
  }
}
