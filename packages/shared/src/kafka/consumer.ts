import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import type { ReadinessCheck } from '../ops-server';
import { laneGate } from './lanes';
import { reportLag } from './lag';
import type { LagReporter } from './lag';

export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
}

/**
 * Handles one record and resolves once its outcome is durably produced; the offset is committed
 * only after that (kafkajs resolves an offset when the handler returns). It should throw only for
 * surprises: kafkajs then retries the record rather than skipping it.
 */
export type RecordHandler = (record: InboundRecord) => Promise<void>;

export interface ConsumerGroupSpec {
  groupId: string;
  topics: string[];
}

export interface ConsumerOptions {
  sessionTimeout: number;
  heartbeatInterval: number;
}

export interface RunningConsumers {
  readiness(): ReadinessCheck;
  /** Stops fetching, waits for in-flight handlers, commits their offsets, leaves the groups. */
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

/**
 * One kafkajs consumer per group spec. Services give each priority lane its own group and consumer,
 * highest lane first, so a lane's backlog never sits in front of another lane's records, and while
 * a higher lane has records in hand the lower lanes are paused (DESIGN.md §2.3, see lanes.ts).
 */
export async function startConsumers(opts: {
  kafka: Kafka;
  groups: ConsumerGroupSpec[];
  handle: RecordHandler;
  log: Logger;
  options: ConsumerOptions;
  onFatal: (err: Error) => void;
  lag: LagReporter;
  partitionsConsumedConcurrently?: number;
}): Promise<RunningConsumers> {
  const consumers = opts.groups.map((spec) =>
    opts.kafka.consumer({ groupId: spec.groupId, allowAutoTopicCreation: false, ...opts.options }),
  );
  const ready = consumers.map((c, i) =>
    trackConsumer(c, opts.groups[i]?.groupId ?? '?', opts.log, opts.onFatal),
  );
  const gate = laneGate(consumers.map((consumer, i) => ({ consumer, topics: opts.groups[i]?.topics ?? [] })));
  for (const [i, consumer] of consumers.entries()) {
    const spec = opts.groups[i];
    if (!spec) continue;
    await consumer.connect();
    // A new group starts at the beginning so records produced before it first joined are not skipped.
    await consumer.subscribe({ topics: spec.topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
      eachMessage: ({ topic, partition, message }) =>
        gate.run(i, () =>
          opts.handle({
            topic,
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
            timestamp: message.timestamp,
          }),
        ),
    });
  }
  const stopLag = reportLag(opts.lag, opts.groups);
  return {
    readiness: () => ({
      name: 'kafka-consumers',
      check: () => Promise.resolve(ready.every((r) => r())),
    }),
    async stop() {
      stopLag();
      gate.stop();
      await Promise.all(consumers.map((c) => c.disconnect()));
    },
  };
}
