import type { Consumer, Kafka } from 'kafkajs';
import { PRIORITIES } from '../domain/types';
import type { Priority } from '../domain/types';
import type { Logger } from '../logger';
import type { ReadinessCheck } from '../ops-server';
import type { TopicNames } from './topics';
import { parkedRecord } from './dead-letter';
import { reportLag } from './lag';
import type { LagReporter } from './lag';
import type { Publisher } from './publisher';
import { runBatch } from './engine/batch-runner';
import type { RecordProcessor } from './engine/processor';
import { createHolds } from './engine/holds';
import { prioritySlots } from './engine/slots';
import { createWaits } from './engine/waits';

export type { InboundRecord, Outcome, RecordProcessor } from './engine/processor';

export interface ConsumerGroupSpec {
  groupId: string;
  topics: string[];
  /** Its lane (0 = critical); by default its position in `groups`. */
  lane?: number;
  /** For a processor with `holdUntil`: this group's horizon, instead of the engine's. */
  holdHorizonMs?: number;
}

/**
 * One consumer group per priority lane this replica works on (`CONSUMER_LANES`), each with its
 * lane: a replica may leave some lanes to others (DESIGN.md §2.3).
 */
export function laneGroups(
  lanes: readonly Priority[],
  spec: (priority: Priority) => { groupId: string; topics: string[] },
): ConsumerGroupSpec[] {
  return PRIORITIES.flatMap((p, lane) => (lanes.includes(p) ? [{ ...spec(p), lane }] : []));
}

export interface ConsumerOptions {
  sessionTimeout: number;
  heartbeatInterval: number;
}

export interface RunningConsumers {
  readiness(): ReadinessCheck[];
  /** Stops fetching, lets in-flight records finish (within the drain deadline), commits, leaves. */
  stop(): Promise<void>;
}

/**
 * Readiness of one consumer: true once it joined its group, false again when it crashes, stops or
 * disconnects. A crash kafkajs will not restart from is fatal: the process stops (non-zero exit)
 * so its supervisor (kubectl, ./dev up) starts a fresh one instead of leaving a zombie.
 */
export function trackConsumer(
  consumer: Consumer,
  groupId: string,
  log: Logger,
  onFatal: (err: Error) => void,
) {
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.STOP, () => (joined = false));
  consumer.on(consumer.events.DISCONNECT, () => (joined = false));
  consumer.on(consumer.events.CRASH, (e) => {
    joined = false;
    log.error({ err: e.payload.error, groupId, restart: e.payload.restart }, 'consumer crashed');
    if (!e.payload.restart) onFatal(e.payload.error);
  });
  return () => joined;
}

export interface EngineOptions<C> {
  kafka: Kafka;
  /** One consumer group per lane, highest lane first (index 0 = critical, unless a spec says). */
  groups: ConsumerGroupSpec[];
  processor: RecordProcessor<C>;
  publisher: Publisher;
  topics: Pick<TopicNames, 'parked'>;
  /** Records handled at once across every lane of this process (a dispatcher: provider calls in flight). */
  concurrency: number;
  /** Handle records with the same key one after another, in offset order (see docs/architecture.md). */
  orderByKey: boolean;
  log: Logger;
  options: ConsumerOptions;
  onFatal: (err: Error) => void;
  lag: LagReporter;
  /** Partitions of one lane whose batches are handled at once (kafkajs partitionsConsumedConcurrently). */
  partitionsConsumedConcurrently?: number;
  drainMs?: number;
  /**
   * How long a fetch waits at the broker for records (kafkajs `maxWaitTimeInMs`, 5000 by default).
   * A partition resumed meanwhile is only fetched in the next request: the delay tiers keep it short.
   */
  maxWaitTimeInMs?: number;
  /** For a processor with `holdUntil`: records due within this many ms wait in their batch (default 200). */
  holdHorizonMs?: number;
}

/**
 * The consumption engine every Herald consumer runs (DESIGN.md §3, processing model). Each lane is
 * its own kafkajs consumer and group, so a lane's backlog never sits in front of another's; the
 * records of fetched batches run concurrently up to `concurrency`, higher lanes first; the engine
 * produces each record's outcome and resolves offsets; handlers only decide.
 */
export async function startConsumers<C>(opts: EngineOptions<C>): Promise<RunningConsumers> {
  const log = opts.log.child({ component: 'engine' });
  const consumers = opts.groups.map((spec) =>
    opts.kafka.consumer({
      groupId: spec.groupId,
      allowAutoTopicCreation: false,
      // Smaller fetches than kafkajs's 10 MiB: decoding one is synchronous work that every other
      // lane's records wait behind, and a few thousand records keep the slots busy anyway.
      maxBytes: 2 * 1024 * 1024,
      maxBytesPerPartition: 256 * 1024,
      ...(opts.maxWaitTimeInMs === undefined ? {} : { maxWaitTimeInMs: opts.maxWaitTimeInMs }),
      ...opts.options,
    }),
  );
  const ready = consumers.map((c, i) => trackConsumer(c, opts.groups[i]?.groupId ?? '?', log, opts.onFatal));
  const waits = createWaits(log);
  const lanes = opts.groups.map((spec, index) => spec.lane ?? index);
  // Partitions paused until a record is due: one set of timers per group, each with its horizon.
  const holds = opts.groups.map((spec) =>
    opts.processor.holdUntil ? createHolds(spec.holdHorizonMs ?? opts.holdHorizonMs ?? 200) : undefined,
  );
  const deps = {
    processor: opts.processor,
    publisher: opts.publisher,
    // Slots kept back for critical only where this replica works on critical.
    slots: prioritySlots(opts.concurrency, lanes.includes(0) ? undefined : 0),
    waits,
    orderByKey: opts.orderByKey,
    lastResort: parkedRecord(opts.topics),
    parkedTopic: opts.topics.parked,
    log,
    drainMs: opts.drainMs ?? 10_000,
    tickMs: 500,
  };
  for (const [index, consumer] of consumers.entries()) {
    const spec = opts.groups[index];
    const lane = lanes[index];
    if (!spec || lane === undefined) continue;
    const groupHolds = holds[index];
    const groupDeps = groupHolds ? { ...deps, holds: groupHolds } : deps;
    await consumer.connect();
    // A new group starts at the beginning so records produced before it first joined are not skipped.
    await consumer.subscribe({ topics: spec.topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 12,
      eachBatchAutoResolve: false,
      // Resolved offsets of a long batch are committed every second; every batch's, when it ends.
      autoCommitInterval: 1000,
      eachBatch: (payload) => runBatch(payload, lane, groupDeps),
    });
  }
  const stopLag = reportLag(opts.lag, opts.groups);
  return {
    readiness: () => [
      { name: 'kafka-consumers', check: () => Promise.resolve(ready.every((r) => r())) },
      waits.readiness('dependencies-reachable'),
    ],
    async stop() {
      stopLag();
      for (const h of holds) h?.clear();
      await Promise.all(consumers.map((c) => c.disconnect()));
    },
  };
}
