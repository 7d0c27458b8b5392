import {
  classifyError,
  copyKey,
  headersToRecord,
  parkedRecord,
  stableEventId,
  statusEvent,
} from '@herald/shared';
import type {
  Codec,
  Counter,
  Logger,
  OutboundRecord,
  Outcome,
  RecordProcessor,
  TopicNames,
} from '@herald/shared';
import { readFailure, subjectOf } from './domain/failure-record';
import type { DeadLetterStore } from './adapters/dead-letters';

export interface DlqDeps {
  codec: Codec;
  topics: TopicNames;
  deadLetters: DeadLetterStore;
  clock: () => number;
  log: Logger;
  metrics: { parked: Counter<'reason'> };
}

/**
 * For now every failure is parked: stored in `dead_letters`, copied to notify.parked with its
 * reason headers, and a `parked` event closes the notification's timeline. (Replaying transient
 * failures over the delay tiers is the retry engine's job, not built yet.) A record Postgres
 * refuses to store is still copied to notify.parked and still closes its timeline, with the
 * refusal in its headers; a record that cannot be handled at all goes to notify.parked as is (the
 * engine's last resort), so nothing loops here.
 */
export function createDlqProcessor(deps: DlqDeps): RecordProcessor {
  return {
    handle: (record) => park(deps, record),
    onFailure: (record, err) => [parkedRecord(deps.topics)(record, err, true)],
  };
}

async function park(deps: DlqDeps, record: Parameters<RecordProcessor['handle']>[0]): Promise<Outcome> {
  {
    const headers = headersToRecord(record.headers);
    const failure = readFailure(headers);
    let subject: ReturnType<typeof subjectOf> = null;
    try {
      subject = subjectOf(await deps.codec.decode(record.value));
    } catch (e) {
      // Garbage is parked all the same; only an unreachable registry is worth waiting for.
      if (classifyError(e).disposition === 'wait') throw e;
    }
    let notStored: string | null = null;
    try {
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
    } catch (e) {
      const err = classifyError(e);
      if (err.disposition === 'wait') throw err;
      notStored = `${err.code}: ${err.message}`.slice(0, 500);
      deps.log.error(
        { notificationId: subject?.notificationId, reason: notStored },
        'dead letter not stored',
      );
    }
    const out: OutboundRecord[] = [
      {
        topic: deps.topics.parked,
        key: copyKey(record),
        value: record.value,
        headers: {
          ...headers,
          'parked-reason': failure.reason,
          'parked-at': new Date(deps.clock()).toISOString(),
          ...(notStored ? { 'not-stored': notStored } : {}),
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
    return {
      records: out,
      done: () => {
        deps.metrics.parked.inc({ reason: failure.reason });
        deps.log.warn(
          {
            notificationId: subject?.notificationId,
            reason: failure.reason,
            targetTopic: failure.targetTopic,
          },
          'parked',
        );
      },
    };
  }
}
