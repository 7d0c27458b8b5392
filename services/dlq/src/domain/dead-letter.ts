import { CHANNELS } from '@herald/shared/domain';
import type { Channel } from '@herald/shared/domain';

/**
 * A dead letter's life: `parked` until an operator replays it (produced again to its target topic)
 * or discards it (given up, with a reason). Both are final: a replayed message that fails again
 * comes back through notify.dlq as a new dead letter.
 */
export const DEAD_LETTER_STATUSES = ['parked', 'replayed', 'discarded'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/**
 * Headers that describe a failed or waiting attempt (failure, delay and park headers): a replay
 * goes out without them, so the retry engine counts its attempts from one again.
 */
export const REPLAY_STRIPPED_HEADERS: readonly string[] = [
  'attempt',
  'error',
  'error-class',
  'first-failed-at',
  'failures',
  'retry-delay-ms',
  'target-topic',
  'due-at',
  'parked-reason',
  'parked-at',
  'not-stored',
];

/** Names the dead letter a replayed record came from (and replaces an earlier replay's). */
export const REPLAYED_FROM = 'replayed-from';

/** The stored headers of a letter as its replay carries them. */
export function replayHeaders(stored: Record<string, string>, id: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(stored)) {
    if (!REPLAY_STRIPPED_HEADERS.includes(name.toLowerCase())) out[name] = value;
  }
  out[REPLAYED_FROM] = id;
  return out;
}

/** What the rules need to know of a letter. */
export interface LetterState {
  id: string;
  status: DeadLetterStatus;
  targetTopic: string | null;
  hasPayload: boolean;
}

/** Why an operator's action is refused: the letter moved on, or it cannot be replayed at all. */
export type Refusal = { kind: 'not_parked'; message: string } | { kind: 'not_replayable'; message: string };

function notParked(
  letter: Pick<LetterState, 'id' | 'status'>,
  action: 'replayed' | 'discarded',
): Refusal | null {
  if (letter.status === 'parked') return null;
  return {
    kind: 'not_parked',
    message: `dead letter ${letter.id} is ${letter.status}: only a parked dead letter can be ${action}`,
  };
}

/**
 * Whether a letter may be replayed now. `isTarget` says whether a topic may be written to
 * (a priority or channel topic): the target comes from a header anyone could have set, and a
 * replay must not become a way to write into notify.status, say.
 */
export function replayRefusal(letter: LetterState, isTarget: (topic: string) => boolean): Refusal | null {
  const moved = notParked(letter, 'replayed');
  if (moved) return moved;
  const cannot = (why: string): Refusal => ({
    kind: 'not_replayable',
    message: `dead letter ${letter.id} cannot be replayed: ${why}`,
  });
  if (!letter.targetTopic) return cannot('it has no target topic (it failed before reaching one)');
  if (!letter.hasPayload) return cannot('its payload was not stored');
  if (!isTarget(letter.targetTopic)) {
    return cannot(`its target topic ${letter.targetTopic} is not a priority or channel topic`);
  }
  return null;
}

export function discardRefusal(letter: Pick<LetterState, 'id' | 'status'>): Refusal | null {
  return notParked(letter, 'discarded');
}

/**
 * The key a replay is produced with: the stored bytes, so it lands on the partition the original
 * did; a letter stored without one gets its origin (kafkajs re-spreads keyless records on retry).
 */
export function replayKey(letter: {
  key: Buffer | null;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
}): Buffer | string {
  return letter.key ?? `${letter.sourceTopic}:${letter.sourcePartition}:${letter.sourceOffset}`;
}

/** Who did it, as the audit columns keep it: the API key's name and id. */
export function auditActor(principal: { name: string; keyId: string }): string {
  return `${principal.name} (key ${principal.keyId})`;
}

/** The stored channel as a status event's channel; anything else is no channel. */
export function channelOf(stored: string | null): Channel | null {
  return CHANNELS.find((c) => c === stored) ?? null;
}
