import { stableEventId, statusEvent } from '@herald/shared';
import type { OutboundRecord, TopicNames } from '@herald/shared';
import { channelOf, replayHeaders, replayKey } from './domain/dead-letter';
import type { StoredDeadLetter } from './adapters/dead-letters';

/** Who acted, and in which bulk job if any: what a status event's detail names. */
export interface Actor {
  /** The API key's name. */
  name: string;
  jobId?: string;
}

/**
 * The status event of an operator's decision on a letter, when it belongs to a notification. Its
 * id is stable per letter and decision (each happens at most once), so an event produced again,
 * after a transaction that failed to commit, is projected once.
 */
function decisionEvent(
  topics: Pick<TopicNames, 'status'>,
  letter: StoredDeadLetter,
  status: 'REPLAYED' | 'DISCARDED',
  at: number,
  detail: Record<string, unknown>,
): OutboundRecord[] {
  if (!letter.notificationId) return [];
  return [
    {
      topic: topics.status,
      key: letter.notificationId,
      value: statusEvent({
        eventId: stableEventId('dead-letter', letter.id, status),
        notificationId: letter.notificationId,
        status,
        channel: channelOf(letter.channel),
        service: 'dlq',
        at,
        reason: status === 'REPLAYED' ? 'replayed' : 'discarded',
        detail,
      }),
    },
  ];
}

/**
 * A replay: the stored payload to its target topic with its stored key, its headers without the
 * failure, delay and park headers (so its attempts count from one again) and with `replayed-from`;
 * and a REPLAYED event. The caller has checked that the letter can be replayed.
 */
export function replayRecords(
  topics: Pick<TopicNames, 'status'>,
  letter: StoredDeadLetter,
  actor: Actor,
  at: number,
): OutboundRecord[] {
  if (!letter.targetTopic || !letter.payload) throw new Error(`dead letter ${letter.id} cannot be replayed`);
  return [
    {
      topic: letter.targetTopic,
      key: replayKey(letter),
      value: letter.payload,
      headers: replayHeaders(letter.headers, letter.id),
    },
    ...decisionEvent(topics, letter, 'REPLAYED', at, {
      deadLetterId: letter.id,
      by: actor.name,
      ...(actor.jobId ? { jobId: actor.jobId } : {}),
    }),
  ];
}

/** A discard produces only its DISCARDED event, with the operator's reason. */
export function discardRecords(
  topics: Pick<TopicNames, 'status'>,
  letter: StoredDeadLetter,
  actor: Actor,
  reason: string,
  at: number,
): OutboundRecord[] {
  return decisionEvent(topics, letter, 'DISCARDED', at, { deadLetterId: letter.id, by: actor.name, reason });
}
