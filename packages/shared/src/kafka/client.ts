import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Producer, LogEntry } from 'kafkajs';
import type { Logger } from '../logger';

export type { Kafka, Producer };
export type { Admin, Consumer, EachBatchPayload } from 'kafkajs';

/**
 * Warnings kafkajs prints at every start that describe a choice made here on purpose: the producer's
 * retries are bounded so a broker outage fails a request (503) instead of hanging it; duplicates
 * that a resend could cause are absorbed downstream (dedup and delivery keys, DESIGN.md §2.2).
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

function kafkaLogger(log: Logger) {
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      const fields = { ...rest, component: 'kafkajs' };
      if (level === logLevel.ERROR) log.error(fields, message);
      else if (level === logLevel.WARN && !EXPECTED_WARNINGS.some((w) => message.startsWith(w)))
        log.warn(fields, message);
      else if (level === logLevel.WARN) log.debug(fields, message);
      else if (level === logLevel.INFO) log.debug(fields, message);
      else log.trace(fields, message);
    };
}

export function createKafka(opts: {
  brokers: string[];
  clientId: string;
  log: Logger;
  /** kafkajs's retry of each request; the services' default suits long-running consumers. */
  retry?: { initialRetryTime: number; retries: number; maxRetryTime?: number };
}): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogger(opts.log.child({ component: 'kafkajs' })),
    retry: opts.retry ?? { initialRetryTime: 300, retries: 10 },
  });
}

/** Idempotent producer (acks=all is set per send in `send`), DESIGN.md §2.2. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // murmur2 on the key, as the Java client: any producer keyed by userId picks the same partition.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}
