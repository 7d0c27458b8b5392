import path from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  createCodec,
  createKafka,
  createProducer,
  deleteTopics,
  ensureTopics,
  topicNames,
} from '@herald/shared';
import type { BenchContext } from '../context';
import { infraProcesses } from '../context';
import { encodeSlice } from '../load/produce';
import { startSampler } from '../procstat';
import type { ProcessUsage } from '../procstat';
import { startProgress } from '../progress';
import type { RelayWorkerConfig, WorkerMessage } from '../relay-worker';
import { ratePerSecond, summarize } from '../stats';
import type { LatencySummary } from '../stats';
import { deleteSubjects, isolatedNames, silentLog } from '../stack/services';
import { spawnNode, stopChild, waitFor } from '../stack/processes';
import type { Child } from '../stack/processes';
import { makeUsers, phaseTag, planNotifications } from '../workload';

export interface RelayResult {
  records: number;
  meanRecordBytes: number;
  producedPerSecond: number | null;
  delivered: number;
  deliveredPerSecond: number | null;
  latencyMs: LatencySummary;
  complete: boolean;
  partitionsConsumedConcurrently: number;
  processes: ProcessUsage[];
  machineBusyPercent: number | null;
}

/**
 * Scenario (b): what kafkajs alone does over Herald's hops. Records of the same size as (a1)'s
 * (the same Avro-encoded requests) go to `relay.in`; a relay process consumes them with eachBatch
 * and forwards each fetched batch with one sendBatch (idempotent producer, acks=all) to
 * `relay.out`; a sink process counts them "delivered".
 */
export async function runRelay(ctx: BenchContext): Promise<RelayResult> {
  const { settings, env } = ctx;
  const { prefix } = isolatedNames('b');
  const inTopic = `${prefix}relay.in`;
  const outTopic = `${prefix}relay.out`;
  const kafka = createKafka({ brokers: env.brokers, clientId: 'herald-bench', log: silentLog });
  const logDir = path.join(ctx.logDir, 'b');
  mkdirSync(logDir, { recursive: true });
  // Partitions worked on at once, as Herald's engine does for each lane (kafkajs partitionsConsumedConcurrently).
  const concurrency = Number(env.serviceEnv.BENCH_RELAY_PARTITIONS ?? 12);
  const workers: Child[] = [];
  const producer = createProducer(kafka);
  const cleanup = async () => {
    await Promise.all(workers.map((w) => stopChild(w, 10_000)));
    await deleteTopics(kafka, [inTopic, outTopic]).catch(() => undefined);
    await deleteSubjects(env.registryUrl, prefix).catch(() => undefined);
  };
  const unregister = ctx.onInterrupt(cleanup);
  try {
    ctx.print(`(b) bare kafkajs relay: ${inTopic} → relay → ${outTopic} → sink`);
    await ensureTopics(kafka, [
      { topic: inTopic, numPartitions: 12 },
      { topic: outTopic, numPartitions: 12 },
    ]);
    // Values encoded as for (a1): the subject of a priority topic under this prefix.
    const codec = createCodec(env.registryUrl);
    const topics = topicNames(prefix);
    for (const lane of ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'] as const)
      await codec.register(topics.priority(lane));

    let sink = { delivered: 0, firstAt: null as number | null, lastAt: null as number | null };
    const latencies: number[] = [];
    let ready = 0;
    const start = (role: RelayWorkerConfig['role'], from: string, to?: string) => {
      const config: RelayWorkerConfig = {
        role,
        brokers: env.brokers,
        from,
        ...(to ? { to } : {}),
        groupId: `${prefix}${role}`,
        partitionsConsumedConcurrently: concurrency,
      };
      const w = spawnNode(role, path.join(ctx.root, 'bench', 'dist', 'relay-worker.js'), {
        args: [JSON.stringify(config)],
        env: { PATH: env.path },
        cwd: ctx.root,
        logFile: path.join(logDir, `${role}.log`),
        ipc: true,
      });
      w.child.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') ready++;
        else {
          sink = { delivered: m.delivered, firstAt: m.firstAt, lastAt: m.lastAt };
          for (const l of m.latencies) latencies.push(l);
        }
      });
      workers.push(w);
    };
    start('relay', inTopic, outTopic);
    start('sink', outTopic);
    await waitFor('the relay and the sink to join their groups', () => ready >= 2, 60_000);
    await producer.connect();

    const users = makeUsers(Math.min(settings.users, 1000), ctx.rand);
    const planned = planNotifications({ count: settings.n, users, rand: ctx.rand, tag: phaseTag(ctx.rand) });
    const watch = [
      ...workers.map((w) => ({ name: `kafkajs ${w.name}`, pid: w.pid })),
      ...infraProcesses(ctx.root),
    ];
    const sampler = startSampler(watch, settings.sampleEveryMs);
    let produced = 0;
    let bytes = 0;
    const progress = startProgress(
      'b · kafkajs relay',
      settings.progressEveryMs,
      () => ({ accepted: produced, failed: 0, delivered: sink.delivered, expected: planned.length }),
      ctx.print,
    );
    const startedAt = Date.now();
    for (let i = 0; i < planned.length; i += settings.produceBatch) {
      const slice = planned.slice(i, i + settings.produceBatch);
      const byTopic = await encodeSlice(codec, topics, slice, () => undefined);
      const messages = [...byTopic.values()].flat();
      for (const m of messages) bytes += m.value.length;
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic: inTopic, messages }] });
      produced += slice.length;
    }
    const producedAt = Date.now();
    let lastCount = -1;
    let lastChange = Date.now();
    while (sink.delivered < planned.length && Date.now() - lastChange < settings.stallMs) {
      if (sink.delivered !== lastCount) {
        lastCount = sink.delivered;
        lastChange = Date.now();
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    progress.stop();
    const machineBusyPercent = sampler.machineBusyPercent();
    const processes = sampler.stop();
    return {
      records: planned.length,
      meanRecordBytes: Math.round(bytes / Math.max(1, produced)),
      producedPerSecond: ratePerSecond(produced, producedAt - startedAt),
      delivered: sink.delivered,
      deliveredPerSecond:
        sink.lastAt === null ? null : ratePerSecond(sink.delivered, sink.lastAt - startedAt),
      latencyMs: summarize(latencies),
      complete: sink.delivered >= planned.length,
      partitionsConsumedConcurrently: concurrency,
      processes,
      machineBusyPercent,
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    unregister();
    await cleanup();
  }
}
