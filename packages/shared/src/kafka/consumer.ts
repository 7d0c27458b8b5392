import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import type { ReadinessCheck } from '../ops-server';

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
 * One kafkajs consumer per group spec. Services give each priority lane its own group and consumer,
 * so a lane's backlog never sits in front of another lane's records (DESIGN.md §2.3).
 */
export async function startConsumers(opts: {
  kafka: Kafka;
  groups: ConsumerGroupSpec[];
  handle: RecordHandler;
  log: Logger;
  options: ConsumerOptions;
  partitionsConsumedConcurrently?: number;
}): Promise<RunningConsumers> {
  const joined = new Map<string, boolean>();
  const consumers: Consumer[] = [];
  for (const spec of opts.groups) {
    const consumer = opts.kafka.consumer({
      groupId: spec.groupId,
      allowAutoTopicCreation: false,
      ...opts.options,
    });
    joined.set(spec.groupId, false);
    consumer.on(consumer.events.GROUP_JOIN, () => joined.set(spec.groupId, true));
    consumer.on(consumer.events.CRASH, (e) => {
      opts.log.error(
        { err: e.payload.error, groupId: spec.groupId, restart: e.payload.restart },
        'consumer crashed',
      );
      if (!e.payload.restart) joined.set(spec.groupId, false);
    });
    await consumer.connect();
    // A new group starts at the beginning so records produced before it first joined are not skipped.
    await consumer.subscribe({ topics: spec.topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
      eachMessage: async ({ topic, partition, message }) => {
        await opts.handle({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          timestamp: message.timestamp,
        });
      },
    });
    consumers.push(consumer);
  }
  return {
    readiness: () => ({
      name: 'kafka-consumers',
      check: () => Promise.resolve([...joined.values()].every(Boolean)),
    }),
    async stop() {
      await Promise.all(consumers.map((c) => c.disconnect()));
    },
  };
}
