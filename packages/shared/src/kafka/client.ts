import { Kafka, logLevel } from 'kafkajs';
import type { Producer, LogEntry } from 'kafkajs';
import type { Logger } from '../logger';

export type { Kafka, Producer };

function kafkaLogger(log: Logger) {
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const fields = { ...rest, component: 'kafkajs' };
      if (level === logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else if (level === logLevel.INFO) log.debug(fields, message);
      else log.trace(fields, message);
    };
}

export function createKafka(opts: { brokers: string[]; clientId: string; log: Logger }): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogger(opts.log.child({ component: 'kafkajs' })),
    retry: { initialRetryTime: 300, retries: 10 },
  });
}

/** Idempotent producer (acks=all is set per send in `send`), DESIGN.md §2.2. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}
