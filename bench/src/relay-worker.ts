import { Kafka, logLevel } from 'kafkajs';

/**
 * Scenario (b)'s processes: a bare kafkajs relay and its "delivered" consumer, for comparison with
 * Herald over the same hops. Usage: node relay-worker.js '<json RelayWorkerConfig>'; reports to
 * the parent over IPC: `ready` once its group is joined, then `progress` every 500 ms (sink).
 */
export interface RelayWorkerConfig {
  role: 'relay' | 'sink';
  brokers: string[];
  from: string;
  /** The relay's output topic. */
  to?: string;
  groupId: string;
  partitionsConsumedConcurrently: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | {
      type: 'progress';
      delivered: number;
      latencies: number[];
      firstAt: number | null;
      lastAt: number | null;
    };

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as RelayWorkerConfig;
  const kafka = new Kafka({
    clientId: `bench-${config.role}`,
    brokers: config.brokers,
    logLevel: logLevel.ERROR,
  });
  const consumer = kafka.consumer({ groupId: config.groupId, allowAutoTopicCreation: false });
  consumer.on(consumer.events.GROUP_JOIN, () => send({ type: 'ready' }));
  await consumer.connect();
  await consumer.subscribe({ topics: [config.from], fromBeginning: true });

  if (config.role === 'relay') {
    // As Herald's producers: idempotent, one request in flight, acks=all.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const to = config.to ?? '';
    await consumer.run({
      partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const last = batch.messages.at(-1);
        if (!last) return;
        await producer.sendBatch({
          acks: -1,
          topicMessages: [
            {
              topic: to,
              messages: batch.messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp })),
            },
          ],
        });
        payload.resolveOffset(last.offset);
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      },
    });
    const stop = () =>
      void Promise.all([consumer.disconnect(), producer.disconnect()]).then(() => process.exit(0));
    process.on('SIGTERM', stop);
    return;
  }

  let delivered = 0;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let latencies: number[] = [];
  await consumer.run({
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) latencies.push(now - Number(m.timestamp));
      delivered += batch.messages.length;
      firstAt ??= now;
      lastAt = now;
      return Promise.resolve();
    },
  });
  const report = () => {
    send({ type: 'progress', delivered, latencies, firstAt, lastAt });
    latencies = [];
  };
  const timer = setInterval(report, 500);
  process.on('SIGTERM', () => {
    clearInterval(timer);
    report();
    void consumer.disconnect().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
