import { classifyError } from '@herald/shared';
import type { Codec, Counter, Logger, Publisher, TopicNames } from '@herald/shared';
import { auditActor, discardRefusal, replayRefusal } from './domain/dead-letter';
import type { Refusal } from './domain/dead-letter';
import type { DeadLetterStore, StoredDeadLetter } from './adapters/dead-letters';
import { discardRecords, replayRecords } from './operator-records';
import { letterView } from './letter-view';
import type { LetterView } from './letter-view';

export interface Principal {
  keyId: string;
  name: string;
}

export interface LetterActionDeps {
  store: DeadLetterStore;
  publisher: Publisher;
  codec: Pick<Codec, 'decode'>;
  topics: Pick<TopicNames, 'status'>;
  /** Whether a replay may write to a topic: a priority or channel topic. */
  isTarget: (topic: string) => boolean;
  clock: () => number;
  log: Logger;
  metrics: { replayed: Counter<'channel'>; discarded: Counter<'channel'> };
}

/** What an action came to; only `done` changed the letter. */
export type ActionOutcome =
  | { kind: 'done'; letter: StoredDeadLetter }
  | { kind: 'not_found'; message: string }
  | Refusal
  /** Kafka did not acknowledge what the action produces: the letter is unchanged. */
  | { kind: 'unavailable'; message: string };

export interface LetterActions {
  get(id: string): Promise<LetterView | null>;
  replay(id: string, by: Principal): Promise<ActionOutcome>;
  discard(id: string, by: Principal, reason: string): Promise<ActionOutcome>;
}

const notFound = (id: string): ActionOutcome => ({ kind: 'not_found', message: `no dead letter ${id}` });

/**
 * The operator's actions on one dead letter. Each holds the letter's row lock while it produces
 * (so two at once produce once: the second finds the letter no longer parked) and marks the
 * letter only once Kafka has acknowledged (acks=all): a failed produce leaves it parked.
 */
export function createLetterActions(deps: LetterActionDeps): LetterActions {
  const publish = async (id: string, action: string, records: Parameters<Publisher['publish']>[0]) => {
    try {
      await deps.publisher.publish(records);
      return null;
    } catch (err) {
      const e = classifyError(err);
      deps.log.warn({ deadLetterId: id, code: e.code, err: e.message }, `${action} not produced`);
      const outcome: ActionOutcome = {
        kind: 'unavailable',
        message: `Kafka did not acknowledge the ${action} of dead letter ${id} (${e.code}); it is still parked: retry`,
      };
      return outcome;
    }
  };

  const finish = (changed: StoredDeadLetter | null, outcome: ActionOutcome, counter: Counter<'channel'>) => {
    if (outcome.kind !== 'done' || !changed) return outcome;
    counter.inc({ channel: changed.channel ?? 'none' });
    return { kind: 'done', letter: changed } satisfies ActionOutcome;
  };

  return {
    async get(id) {
      const letter = await deps.store.get(id);
      return letter ? letterView(deps.codec, letter) : null;
    },

    async replay(id, by) {
      const { result, changed } = await deps.store.withLocked<ActionOutcome>(id, async (letter) => {
        if (!letter) return { result: notFound(id) };
        const refusal = replayRefusal(
          { ...letter, hasPayload: letter.payload !== null && letter.payload.length > 0 },
          deps.isTarget,
        );
        if (refusal) return { result: refusal };
        const failed = await publish(id, 'replay', replayRecords(deps.topics, letter, by, deps.clock()));
        if (failed) return { result: failed };
        return { result: { kind: 'done', letter }, change: { kind: 'replayed', by: auditActor(by) } };
      });
      const outcome = finish(changed, result, deps.metrics.replayed);
      if (outcome.kind === 'done') deps.log.info({ deadLetterId: id, by: by.name }, 'dead letter replayed');
      return outcome;
    },

    async discard(id, by, reason) {
      const { result, changed } = await deps.store.withLocked<ActionOutcome>(id, async (letter) => {
        if (!letter) return { result: notFound(id) };
        const refusal = discardRefusal(letter);
        if (refusal) return { result: refusal };
        const failed = await publish(
          id,
          'discard',
          discardRecords(deps.topics, letter, by, reason, deps.clock()),
        );
        if (failed) return { result: failed };
        return {
          result: { kind: 'done', letter },
          change: { kind: 'discarded', by: auditActor(by), reason },
        };
      });
      const outcome = finish(changed, result, deps.metrics.discarded);
      // The operator's reason is free text: it stays in Postgres and the event, not in the log.
      if (outcome.kind === 'done') deps.log.info({ deadLetterId: id, by: by.name }, 'dead letter discarded');
      return outcome;
    },
  };
}
