import { classifyError } from '../errors';
import type { HeraldError } from '../errors';
import { failureHeaders } from '../domain/failure';
import type { Logger } from '../logger';
import type { InboundRecord, RecordHandler } from './consumer';
import { H, headerString } from './headers';
import type { OutboundRecord, Publisher } from './publisher';
import type { TopicNames } from './topics';

/** The record as received, bound for notify.dlq with its failure headers (history kept). */
export function dlqRecord(
  topics: TopicNames,
  record: InboundRecord,
  err: HeraldError,
  now: number,
): OutboundRecord {
  return {
    topic: topics.dlq,
    key: record.key?.toString() ?? null,
    value: record.value,
    headers: failureHeaders(err, {
      sourceTopic: record.topic,
      previous: {
        attempt: headerString(record.headers, H.attempt),
        firstFailedAt: headerString(record.headers, H.firstFailedAt),
        targetTopic: headerString(record.headers, H.targetTopic),
      },
      now,
    }),
  };
}

/**
 * A failure never blocks a partition (DESIGN.md §2.4): whatever the handler throws goes to
 * notify.dlq with its code and the partition moves on. Only an unreachable dependency (Kafka,
 * Postgres, Redis, the registry) is rethrown, so kafkajs retries the record until it is back.
 */
export function withDeadLetters(
  handle: RecordHandler,
  deps: { publisher: Publisher; topics: TopicNames; clock: () => number; log: Logger },
): RecordHandler {
  return async (record) => {
    try {
      await handle(record);
    } catch (e) {
      const err = classifyError(e);
      if (err.code === 'dependency_unavailable') throw err;
      deps.log.warn(
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          code: err.code,
          reason: err.message,
        },
        'handing record to notify.dlq',
      );
      await deps.publisher.publish([dlqRecord(deps.topics, record, err, deps.clock())]);
    }
  };
}
