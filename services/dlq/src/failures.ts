import {
  classifyError,
  copyKey,
  decideRetry,
  delayedRecord,
  headersToRecord,
  isDelayTarget,
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
  RetryDecision,
  Tier,
  TopicNames,
} from '@herald/shared';
import { readFailure, subjectOf } from './domain/failure-record';
import type { FailureInfo, Subject } from './domain/failure-record';
import type { DeadLetterStore, NewDeadLetter } from './adapters/dead-letters';
import type { RetryPolicies } from './config';

export interface FailureDeps {
  codec: Codec;
  topics: TopicNames;
  tiers: readonly Tier[];
  policies: RetryPolicies;
  deadLetters: DeadLetterStore;
  clock: () => number;
  /** [0, 1), for the retry schedule's jitter. */
  random: () => number;
  log: Logger;
  metrics: {
    parked: Counter<'reason'>;
    decisions: Counter<'decision' | 'channel'>;
    scheduled: Counter<'tier' | 'kind'>;
  };
}

/** A failed attempt as the dlq read it, what it decided, and whether a dead letter was refused. */
interface Examined {
  headers: Record<string, string>;
  failure: FailureInfo;
  subject: Subject | null;
  decision: RetryDecision;
  /** Why Postgres refused the dead letter, or null (stored, or none to store). */
  notStored: string | null;
}

type Prepared = Map<InboundRecord, Examined>;

/**
 * The retry engine's entrance (notify.dlq, DESIGN.md §4). Each failed attempt is:
 * - retried: handed to the delay tiers, due after the channel's backoff, bound for the topic it
 *   failed on, with a `retrying` event (attempt, error, next due time) on its timeline;
 * - parked, when the error is permanent or the attempts are exhausted: stored in `dead_letters`
 *   (a fetched batch's letters in a few multi-row inserts, in `prepare`), copied to notify.parked
 *   with its reason, and closed with a `parked` event. A letter Postgres refuses is parked all
 *   the same, with the refusal in its headers;
 * - or expired, when its `expiresAt` has passed or comes before its next attempt would be due.
 * A record whose payload is unreadable, or whose target is not a priority or channel topic, is
 * parked: retrying it cannot help. One that cannot be handled at all goes to notify.parked as is
 * (the engine's last resort), so nothing loops here.
 */
export function createFailureProcessor(deps: FailureDeps): RecordProcessor<Prepared> {
  return {
    prepare: (records) => examine(deps, records),
    async handle(record, prepared) {
      // Without a batch result (its preparation failed), the record is examined on its own.
      const examined = prepared?.get(record) ?? (await examine(deps, [record])).get(record);
      if (!examined) throw new Error('failed record missing from its batch');
      switch (examined.decision.kind) {
        case 'retry':
          return retryOutcome(deps, record, examined, examined.decision);
        case 'expire':
          return expiredOutcome(deps, record, examined);
        case 'park':
          return parkedOutcome(deps, record, examined);
      }
    },
    onFailure: (record, err) => [parkedRecord(deps.topics)(record, err, true)],
  };
}

function decide(deps: FailureDeps, failure: FailureInfo, subject: Subject | null): RetryDecision {
  // Garbage, or a target the engine must not write to: retrying cannot help.
  if (!subject || !failure.targetTopic || !isDelayTarget(deps.topics, failure.targetTopic)) {
    return { kind: 'park', why: 'permanent' };
  }
  const policy = subject.channel ? deps.policies.byChannel[subject.channel] : deps.policies.default;
  return decideRetry(
    {
      errorClass: failure.errorClass,
      attempts: failure.attempts,
      expiresAt: subject.expiresAt,
      ...(failure.previousDelayMs === undefined ? {} : { previousDelayMs: failure.previousDelayMs }),
    },
    policy,
    deps.clock(),
    deps.random,
  );
}

async function examine(deps: FailureDeps, records: InboundRecord[]): Promise<Prepared> {
  const result: Prepared = new Map();
  const letters = new Map<NewDeadLetter, Examined>();
  for (const record of records) {
    await yieldTurn(record.lane);
    const headers = headersToRecord(record.headers);
    const failure = readFailure(headers);
    let subject: Subject | null = null;
    try {
      subject = subjectOf(await deps.codec.decode(record.value));
    } catch (e) {
      // Garbage is parked all the same; only an unreachable registry is worth waiting for.
      if (classifyError(e).disposition === 'wait') throw e;
    }
    const examined: Examined = {
      headers,
      failure,
      subject,
      decision: decide(deps, failure, subject),
      notStored: null,
    };
    result.set(record, examined);
    if (examined.decision.kind === 'park') letters.set(deadLetter(record, examined), examined);
  }
  for (const { letter, reason } of await deps.deadLetters.park([...letters.keys()])) {
    const examined = letters.get(letter);
    if (!examined) continue;
    examined.notStored = reason.slice(0, 500);
    deps.log.error(
      { notificationId: examined.subject?.notificationId, reason: examined.notStored },
      'dead letter not stored',
    );
  }
  return result;
}

function deadLetter(record: InboundRecord, { headers, failure, subject }: Examined): NewDeadLetter {
  return {
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
    firstError: failure.history[0]?.error ?? failure.error,
    error: failure.error,
    firstFailedAt: failure.firstFailedAt,
  };
}

function event(
  deps: FailureDeps,
  record: InboundRecord,
  subject: Subject,
  status: 'PARKED' | 'EXPIRED' | 'RETRYING',
  reason: string,
  detail: Record<string, unknown>,
): OutboundRecord {
  return {
    topic: deps.topics.status,
    key: subject.notificationId,
    value: statusEvent({
      eventId: stableEventId(record.topic, String(record.partition), record.offset, status),
      notificationId: subject.notificationId,
      status,
      channel: subject.channel,
      service: 'dlq',
      at: deps.clock(),
      reason,
      detail,
    }),
  };
}

function retryOutcome(
  deps: FailureDeps,
  record: InboundRecord,
  { headers, failure, subject }: Examined,
  decision: Extract<RetryDecision, { kind: 'retry' }>,
): Outcome {
  const target = failure.targetTopic;
  if (!subject || !target) throw new Error('a retry without a subject or target');
  const { record: delayed, tier } = delayedRecord(
    deps.topics,
    deps.tiers,
    {
      key: copyKey(record),
      value: record.value,
      headers: { ...headers, 'retry-delay-ms': String(decision.delayMs) },
    },
    target,
    decision.dueAt,
    deps.clock(),
  );
  const channel = subject.channel ?? 'none';
  return {
    records: [
      delayed,
      event(deps, record, subject, 'RETRYING', failure.reason, {
        attempt: failure.attempts,
        error: failure.error,
        nextAttemptAt: new Date(decision.dueAt).toISOString(),
      }),
    ],
    done: () => {
      deps.metrics.decisions.inc({ decision: 'retry', channel });
      deps.metrics.scheduled.inc({ tier: tier.name, kind: 'retry' });
      deps.log.info(
        {
          notificationId: subject.notificationId,
          attempt: failure.attempts,
          reason: failure.reason,
          delayMs: decision.delayMs,
          tier: tier.name,
        },
        'retry scheduled',
      );
    },
  };
}

function expiredOutcome(deps: FailureDeps, record: InboundRecord, { failure, subject }: Examined): Outcome {
  if (!subject) throw new Error('an expiry without a subject');
  return {
    records: [
      event(deps, record, subject, 'EXPIRED', 'expired', {
        attempts: failure.attempts,
        lastError: failure.error,
      }),
    ],
    done: () => {
      deps.metrics.decisions.inc({ decision: 'expire', channel: subject.channel ?? 'none' });
      deps.log.info(
        { notificationId: subject.notificationId, attempts: failure.attempts },
        'expired while retrying',
      );
    },
  };
}

function parkedOutcome(deps: FailureDeps, record: InboundRecord, examined: Examined): Outcome {
  const { headers, failure, subject, notStored } = examined;
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
    out.push(
      event(deps, record, subject, 'PARKED', failure.reason, {
        attempts: failure.attempts,
        errorClass: failure.errorClass,
      }),
    );
  }
  return {
    records: out,
    done: () => {
      deps.metrics.parked.inc({ reason: failure.reason });
      deps.metrics.decisions.inc({ decision: 'park', channel: subject?.channel ?? 'none' });
      deps.log.warn(
        { notificationId: subject?.notificationId, reason: failure.reason, targetTopic: failure.targetTopic },
        'parked',
      );
    },
  };
}
