import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { createCodec, createProducer, dispatcherEnv, z } from '@herald/shared';
import type { Kafka } from '@herald/shared';
import type { BenchContext } from '../context';
import { infraProcesses, redisProcess } from '../context';
import { dispatchFigures } from '../dispatch-stats';
import type { DispatchPhaseResult, DispatchPhaseSpec } from '../dispatch-stats';
import { planDispatch } from '../dispatch-workload';
import { produceChannelMessages } from '../load/channel';
import { runPhase } from '../phase';
import { providerEnv } from '../stack/herald';
import { waitFor } from '../stack/processes';
import { startSandbox } from '../stack/sandbox';
import { freePort, startServices } from '../stack/services';
import type { ServiceInstance, ServiceStack } from '../stack/services';
import { phaseTag } from '../workload';
import { stopStack } from './throughput';

/**
 * (g)'s phases, in the order run: one SMS dispatcher at 0 and 50 ms, then 2 and 4 replicas of it at
 * 50 ms (g2 is the single replica), then one email dispatcher at 0 and 50 ms.
 */
export const DISPATCH_PHASES: readonly DispatchPhaseSpec[] = [
  { name: 'g1', channel: 'SMS', replicas: 1, latencyMs: 0 },
  { name: 'g2', channel: 'SMS', replicas: 1, latencyMs: 50 },
  { name: 'g3x2', channel: 'SMS', replicas: 2, latencyMs: 50 },
  { name: 'g3x4', channel: 'SMS', replicas: 4, latencyMs: 50 },
  { name: 'g1e', channel: 'EMAIL', replicas: 1, latencyMs: 0 },
  { name: 'g2e', channel: 'EMAIL', replicas: 1, latencyMs: 50 },
];

/** The provider's shared rate limit is off: what is measured is the dispatcher, not a token bucket. */
const RATE_LIMIT = 0;

/** DISPATCH_CONCURRENCY as the dispatchers read it: the bench's environment, else their default. */
function dispatchConcurrency(serviceEnv: Record<string, string>): number {
  const schema = z.object({ DISPATCH_CONCURRENCY: dispatcherEnv({ port: 1 }).DISPATCH_CONCURRENCY });
  return schema.parse(serviceEnv).DISPATCH_CONCURRENCY;
}

/**
 * Resolves once the group has `members` members and has stayed Stable for a second: a replica
 * that joins late would make the others stop for a rebalance in the middle of the phase.
 */
async function groupSettled(kafka: Kafka, groupId: string, members: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let stableSince: number | undefined;
    await waitFor(
      `${members} member(s) of ${groupId}, stable`,
      async () => {
        const group = (await admin.describeGroups([groupId])).groups[0];
        if (group?.state !== 'Stable' || group.members.length !== members) {
          stableSince = undefined;
          return false;
        }
        stableSince ??= Date.now();
        return Date.now() - stableSince >= 1000;
      },
      120_000,
      250,
    );
  } finally {
    await admin.disconnect();
  }
}

function instances(spec: DispatchPhaseSpec): ServiceInstance[] {
  const service = spec.channel === 'SMS' ? 'dispatcher-sms' : 'dispatcher-email';
  const env = { PROVIDER_RATE_LIMIT: String(RATE_LIMIT) };
  if (spec.replicas === 1) return [{ name: service, service, env }];
  return Array.from({ length: spec.replicas }, (_, i) => ({ name: `${service} (r${i + 1})`, service, env }));
}

/**
 * One phase of (g) on a prefix, database and sandbox of its own: `replicas` dispatchers of one
 * channel (every lane, as deployed), the sandbox at the phase's latency. Once the replicas share
 * out the partitions, an unmeasured warm-up and then N rendered messages are produced to the
 * channel's `normal` topic, and the sandbox's ledger is followed until every one arrived.
 */
export async function runDispatchPhase(
  ctx: BenchContext,
  spec: DispatchPhaseSpec,
): Promise<DispatchPhaseResult> {
  const { settings } = ctx;
  const started = Date.now();
  const concurrency = dispatchConcurrency(ctx.env.serviceEnv);
  const procs = instances(spec);
  ctx.print(
    `(${spec.name}) ${spec.replicas} × ${procs[0]?.service ?? '?'} (${concurrency} in flight each), sandbox at ${spec.latencyMs} ms, on a prefix and database of its own`,
  );
  const logDir = path.join(ctx.logDir, spec.name);
  mkdirSync(logDir, { recursive: true });
  const sandbox = await startSandbox({
    root: ctx.root,
    port: await freePort(),
    logDir,
    env: { PATH: ctx.env.path },
  });
  let stack: ServiceStack;
  try {
    stack = await startServices({
      label: spec.name,
      root: ctx.root,
      env: ctx.env,
      logDir: ctx.logDir,
      instances: procs,
      serviceEnv: providerEnv(sandbox.url),
    });
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  const stop = async () => {
    const codes = await stack.stop();
    await sandbox.stop();
    return codes;
  };
  const unregister = ctx.onInterrupt(stop);
  const producer = createProducer(stack.kafka);
  try {
    await sandbox.setLatency(spec.latencyMs);
    const channel = spec.channel.toLowerCase();
    const settled = () =>
      groupSettled(stack.kafka, stack.topics.group(`herald-dispatcher-${channel}.normal`), spec.replicas);
    await settled();
    await producer.connect();
    const codec = createCodec(ctx.env.registryUrl);
    const topic = stack.topics.channel(spec.channel, 'NORMAL');
    const redis = redisProcess();
    const watch = [
      ...stack.processes(),
      { name: 'sandbox', pid: sandbox.proc.pid },
      ...infraProcesses(ctx.root),
      ...(redis ? [redis] : []),
    ];
    const phase = (name: string, description: string, count: number, measured: boolean) => {
      const tag = phaseTag(ctx.rand);
      const planned = planDispatch({
        count,
        channel: spec.channel,
        users: settings.users,
        rand: ctx.rand,
        tag,
      });
      return runPhase({
        name,
        description,
        tag,
        planned,
        sandbox,
        sandboxLatencyMs: spec.latencyMs,
        ...(measured ? { watch } : {}),
        sampleEveryMs: settings.sampleEveryMs,
        progressEveryMs: settings.progressEveryMs,
        stallMs: settings.stallMs,
        print: ctx.print,
        load: (lc) =>
          produceChannelMessages(
            { producer, codec, topic, channel: spec.channel, planned, batch: settings.produceBatch },
            lc,
          ),
      });
    };
    const warmup = await phase(`${spec.name} warm-up`, 'not measured', settings.dispatch.warmup, false);
    // Replicas that started together may rebalance once more after the first settling: not now.
    await settled();
    const measured = await phase(
      spec.name,
      `${settings.n} ${channel} messages, ${spec.replicas} dispatcher(s)`,
      settings.n,
      true,
    );
    return dispatchFigures(spec, measured, {
      topic: topic.slice(stack.prefix.length),
      concurrency,
      rateLimit: RATE_LIMIT,
      dispatcherNames: procs.map((p) => p.name),
      cpus: cpus().length,
      warmup,
      durationMs: Date.now() - started,
    });
  } finally {
    await producer.disconnect().catch(() => undefined);
    unregister();
    await stopStack(ctx, { stop });
  }
}
