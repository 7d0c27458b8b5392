import { classifyError, headersToRecord, stableEventId, statusEvent } from '@herald/shared';
import type {
  Codec,
  Counter,
  Logger,
  OutboundRecord,
  Publisher,
  RecordHandler,
  TopicNames,
} from '@herald/shared';
import { readFailure, subjectOf } from './domain/failure-record';
import type { DeadLetterStore } from './adapters/dead-letters';

export interface DlqDeps {
  codec: Codec;
  publisher: Publisher;
  topics: TopicNames;
  deadLetters: DeadLetterStore;
  clock: () => number;
  log: Logger;
  metrics: { parked: Counter<'reason'> };
}

/**
 * For now every failure is parked: stored in `dead_letters`, copied to notify.parked with its
 * reason headers, and a `parked` event closes the notification's timeline. (Replaying transient
 * failures over the delay tiers is the retry engine's job, not built yet.)
 */
export function createDlqHandler(deps: DlqDeps): RecordHandler {
  return async (record) => {
    const headers = headersToRecord(record.headers);
    const failure = readFailure(headers);
    let subject: ReturnType<typeof subjectOf> = null;
    try {
      subject = subjectOf(await deps.codec.decode(record.value));
    } catch (e) {
      // Garbage is parked all the same; only an unreachable registry is worth waiting for.
      if (classifyError(e).retriable) throw e;
    }
    await deps.deadLetters.park({
      sourceTopic: record.topic,
      sourcePartition: record.partition,
      sourceOffset: record.offset,
      targetTopic: failure.targetTopic,
      notificationId: subject?.notificationId ?? null,
      channel: subject?.channel ?? null,
      key: record.key,
      payload: record.value,
      headers,
      reason: failure.reason,
      errorClass: failure.errorClass,
      attempts: failure.attempts,
      error: failure.error,
      firstFailedAt: failure.firstFailedAt,
    });
    const out: OutboundRecord[] = [
      {
        topic: deps.topics.parked,
        key: record.key?.toString() ?? null,
        value: record.value,
        headers: {
          ...headers,
          'parked-reason': failure.reason,
          'parked-at': new Date(deps.clock()).toISOString(),
        },
      },
    ];
    if (subject) {
      out.push({
        topic: deps.topics.status,
        key: subject.notificationId,
        value: statusEvent({
          eventId: stableEventId(record.topic, String(record.partition), record.offset, 'PARKED'),
          notificationId: subject.notificationId,
          status: 'PARKED',
          channel: subject.channel,
          service: 'dlq',
          at: deps.clock(),
          reason: failure.reason,
          detail: { attempts: failure.attempts, errorClass: failure.errorClass },
        }),
      });
    }
    await deps.publisher.publish(out);
    deps.metrics.parked.inc({ reason: failure.reason });
    deps.log.warn(
      { notificationId: subject?.notificationId, reason: failure.reason, targetTopic: failure.targetTopic },
      'parked',
    );
  };
}
