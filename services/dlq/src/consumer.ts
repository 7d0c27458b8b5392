import {
  classifyError,
  copyKey,
  headersToRecord,
  parkedRecord,
  stableEventId,
  statusEvent,
  yieldTurn,
} from '@herald/shared';
import type {
  Codec,
  Counter,
  InboundRecord,
  Logger,
  OutboundRecord,
  Outcome,
  RecordProcessor,
  TopicNames,
} from '@herald/shared';
import { readFailure, subjectOf } from './domain/failure-record';
import type { FailureInfo } from './domain/failure-record';
import type { DeadLetterStore, NewDeadLetter } from './adapters/dead-letters';

type Subject = ReturnType<typeof subjectOf>;

export interface DlqDeps {
  codec: Codec;
  topics: TopicNames;
  deadLetters: DeadLetterStore;
  clock: () => number;
  log: Logger;
  metrics: { parked: Counter<'reason'> };
}

/** A failed record as the dlq read it, and whether its dead letter could be stored. */
interface Parked {
  headers: Record<string, string>;
  failure: FailureInfo;
  subject: Subject;
  /** Why Postgres refused the dead letter, or null when it is stored. */
  notStored: string | null;
}

type Prepared = Map<InboundRecord, Parked>;

/**
 * For now every failure is parked: stored in `dead_letters`, copied to notify.parked with its
 * reason headers, and a `parked` event closes the notification's timeline. (Replaying transient
 * failures over the delay tiers is the retry engine's job, not built yet.) The dead letters of a
 * fetched batch are stored together in `prepare`, a few multi-row inserts. A record Postgres
 * refuses to store is still copied to notify.parked and still closes its timeline, with the
 * refusal in its headers; a record that cannot be handled at all goes to notify.parked as is (the
 * engine's last resort), so nothing loops here.
 */
export function createDlqProcessor(deps: DlqDeps): RecordProcessor<Prepared> {
  return {
    prepare: (records) => store(deps, records),
    async handle(record, prepared) {
      // Without a batch result (its preparation failed), the record is stored on its own.
      const parked = prepared?.get(record) ?? (await store(deps, [record])).get(record);
      if (!parked) throw new Error('dead letter missing from its batch');
      return outcome(deps, record, parked);
    },
    onFailure: (record, err) => [parkedRecord(deps.topics)(record, err, true)],
  };
}

async function store(deps: DlqDeps, records: InboundRecord[]): Promise<Prepared> {
  const letters = new Map<NewDeadLetter, [InboundRecord, Parked]>();
  for (const record of records) {
    await yieldTurn(record.lane);
    const headers = headersToRecord(record.headers);
    const failure = readFailure(headers);
    let subject: Subject = null;
    try {
      subject = subjectOf(await deps.codec.decode(record.value));
    } catch (e) {
      // Garbage is parked all the same; only an unreachable registry is worth waiting for.
      if (classifyError(e).disposition === 'wait') throw e;
    }
    const letter: NewDeadLetter = {
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
    };
    letters.set(letter, [record, { headers, failure, subject, notStored: null }]);
  }
  for (const { letter, reason } of await deps.deadLetters.park([...letters.keys()])) {
    const parked = letters.get(letter)?.[1];
    if (!parked) continue;
    parked.notStored = reason.slice(0, 500);
    deps.log.error(
      { notificationId: parked.subject?.notificationId, reason: parked.notStored },
      'dead letter not stored',
    );
  }
  return new Map([...letters.values()]);
}

function outcome(deps: DlqDeps, record: InboundRecord, parked: Parked): Outcome {
  const { headers, failure, subject, notStored } = parked;
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
        { notificationId: subject?.notificationId, reason: failure.reason, targetTopic: failure.targetTopic },
        'parked',
      );
    },
  };
}
