import { createCodec, createProducer } from '@herald/shared';
import type { BenchContext } from '../context';
import { infraProcesses } from '../context';
import { postBatches, postSingle } from '../load/ingest';
import { produceToKafka } from '../load/produce';
import { runPhase } from '../phase';
import type { LoadContext, LoadStats, PhaseResult } from '../phase';
import { insertUsers } from '../seed';
import { startHerald } from '../stack/herald';
import type { HeraldStack } from '../stack/herald';
import { makeUsers, phaseTag, planNotifications } from '../workload';
import type { BenchUser } from '../workload';

export interface ThroughputResult {
  users: number;
  devices: number;
  warmup: PhaseResult;
  phases: PhaseResult[];
}

const PHASES = [
  { name: 'a1', description: 'produced straight to the priority topics (Avro, large sendBatch calls)' },
  { name: 'a2', description: 'POST /v1/notifications, one per request' },
  { name: 'a3', description: 'POST /v1/notifications/batch' },
] as const;

/**
 * Scenario (a), with (d) when asked: N notifications through Herald three ways (Kafka, the single
 * endpoint, the batch endpoint) at each sandbox latency, on one stack of its own.
 */
export async function runThroughput(ctx: BenchContext): Promise<ThroughputResult> {
  const { settings } = ctx;
  ctx.print(`(a) starting Herald (six services and the sandbox) on a prefix and database of its own`);
  const stack = await startHerald({ label: 'a', root: ctx.root, env: ctx.env, logDir: ctx.logDir });
  const unregister = ctx.onInterrupt(() => stack.stop());
  const producer = createProducer(stack.kafka);
  try {
    const users = makeUsers(settings.users, ctx.rand);
    await insertUsers(stack.pool, users);
    await producer.connect();
    const codec = createCodec(ctx.env.registryUrl);
    const watch = settings.scenarios.includes('d')
      ? [...stack.processes(), ...infraProcesses(ctx.root)]
      : undefined;

    const phase = (name: string, description: string, latencyMs: number, count: number, load: Load) => {
      const tag = phaseTag(ctx.rand);
      const planned = planNotifications({ count, users, rand: ctx.rand, tag });
      return runPhase({
        name,
        description,
        tag,
        planned,
        sandbox: stack.sandbox,
        sandboxLatencyMs: latencyMs,
        ...(watch ? { watch } : {}),
        sampleEveryMs: settings.sampleEveryMs,
        progressEveryMs: settings.progressEveryMs,
        stallMs: settings.stallMs,
        print: ctx.print,
        load: (lc) => load(planned, lc),
      });
    };
    type Load = (
      planned: Parameters<typeof produceToKafka>[0]['planned'],
      lc: LoadContext,
    ) => Promise<LoadStats>;
    const viaKafka: Load = (planned, lc) =>
      produceToKafka({ producer, codec, topics: stack.topics, planned, batch: settings.produceBatch }, lc);
    const target = { baseUrl: stack.ingestUrl, apiKey: stack.apiKey };
    const loads: Record<(typeof PHASES)[number]['name'], Load> = {
      a1: viaKafka,
      a2: (planned, lc) => postSingle(target, planned, settings.connections, lc),
      a3: (planned, lc) => postBatches(target, planned, settings.batchSize, settings.batchConcurrency, lc),
    };

    // JIT, connection pools, caches: the first notifications through a fresh stack are slower.
    await stack.sandbox.setLatency(0);
    const warmup = await phase(
      'warm-up',
      'not measured: warms the stack up',
      0,
      Math.min(1000, Math.ceil(settings.n / 10)),
      viaKafka,
    );
    const phases: PhaseResult[] = [];
    for (const latencyMs of settings.latenciesMs) {
      await stack.sandbox.setLatency(latencyMs);
      for (const p of PHASES) {
        const result = await phase(p.name, p.description, latencyMs, settings.n, loads[p.name]);
        if (result.skipped) ctx.print(`  ${p.name}: skipped: ${result.skipped}`);
        phases.push(result);
      }
    }
    return { users: users.length, devices: countDevices(users), warmup, phases };
  } finally {
    await producer.disconnect().catch(() => undefined);
    unregister();
    await stopStack(ctx, stack);
  }
}

function countDevices(users: readonly BenchUser[]): number {
  return users.reduce((n, u) => n + u.tokens.length, 0);
}

export async function stopStack(ctx: BenchContext, stack: Pick<HeraldStack, 'stop'>): Promise<void> {
  const codes = await stack.stop();
  const bad = Object.entries(codes).filter(([, c]) => c !== 0);
  if (bad.length > 0)
    ctx.print(`  note: services exited with ${bad.map(([n, c]) => `${n}=${c}`).join(', ')}`);
}
