import type { HeraldError } from '../errors';
import { failureHeaders } from '../domain/failure';
import type { InboundRecord } from './engine/processor';
import { H, headerString, headersToRecord } from './headers';
import type { OutboundRecord } from './publisher';
import type { TopicNames } from './topics';

/**
 * A copy's key: the bytes the record came with (re-encoding could move it to another partition),
 * or where it came from when it had none (kafkajs re-spreads keyless records on a retry).
 */
export function copyKey(record: InboundRecord): Buffer | string {
  return record.key ?? `${record.topic}:${record.partition}:${record.offset}`;
}

/**
 * The record as received, bound for notify.dlq with its failure headers (history kept) and its
 * other headers (`traceparent`): the retry engine hands them on to the next attempt.
 */
export function dlqRecord(
  topics: Pick<TopicNames, 'dlq'>,
  record: InboundRecord,
  err: HeraldError,
  now: number,
): OutboundRecord {
  return {
    topic: topics.dlq,
    key: copyKey(record),
    value: record.value,
    headers: {
      ...headersToRecord(record.headers),
      ...failureHeaders(err, {
        sourceTopic: record.topic,
        previous: {
          attempt: headerString(record.headers, H.attempt),
          firstFailedAt: headerString(record.headers, H.firstFailedAt),
          targetTopic: headerString(record.headers, H.targetTopic),
          failures: headerString(record.headers, H.failures),
        },
        now,
      }),
    },
  };
}

/**
 * Every consumer's last resort (DESIGN.md §3): when a record's outcome and its failure path were
 * both refused, a copy goes straight to notify.parked with where it came from and why, so nothing
 * blocks the partition and nothing is dropped unseen. Without its value when the value itself is
 * what Kafka refuses.
 */
export function parkedRecord(topics: Pick<TopicNames, 'parked'>) {
  return (record: InboundRecord, err: HeraldError, withValue: boolean): OutboundRecord => ({
    topic: topics.parked,
    key: copyKey(record),
    value: withValue ? record.value : null,
    headers: {
      ...headersToRecord(record.headers),
      'parked-reason': err.code,
      'parked-at': new Date().toISOString(),
      error: `${err.code}: ${err.message}`.slice(0, 500),
      'source-topic': record.topic,
      'source-partition': String(record.partition),
      'source-offset': record.offset,
      ...(withValue ? {} : { 'value-dropped': 'true' }),
    },
  });
}
