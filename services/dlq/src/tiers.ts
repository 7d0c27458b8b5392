import {
  HeraldError,
  copyKey,
  delayOf,
  delayedRecord,
  headersToRecord,
  holdUntil,
  isDelayTarget,
  nextStep,
  parkedRecord,
  releasedHeaders,
  zeroSeries,
} from '@herald/shared';
import type {
  ConsumerGroupSpec,
  Counter,
  Histogram,
  InboundRecord,
  Outcome,
  RecordProcessor,
  Tier,
  TopicNames,
} from '@herald/shared';

export interface TierDeps {
  topics: TopicNames;
  tiers: readonly Tier[];
  clock: () => number;
  metrics: {
    forwarded: Counter<'tier' | 'to'>;
    lateness: Histogram<'tier'>;
    early: Counter<'tier'>;
  };
}

/**
 * The delay tiers' consumer (notify.delay.<tier>, DESIGN.md §4). The engine holds each record until
 * `holdUntil` (its partition paused meanwhile); then it is released to its target topic if due, or
 * sent on to the tier that fits what is left of its wait. The value is never decoded: a tier moves
 * bytes. A record without its delay headers, or bound for a topic the engine must not write to, is
 * parked. Release accuracy (released minus due) is a histogram per tier.
 */
/**
 * One consumer group per tier, so a long tier never holds up a short one. Every tier is lane 0:
 * none is more urgent than another, and none keeps slots back. A record due within the horizon
 * waits in its batch; a held batch delays its consumer's next fetch (kafkajs fetches again once
 * every batch of the last fetch has ended), so the horizon is short.
 */
export function delayGroups(
  topics: Pick<TopicNames, 'delay' | 'group'>,
  tiers: readonly Tier[],
  horizonMs: number,
): ConsumerGroupSpec[] {
  return tiers.map((t) => ({
    groupId: topics.group(`herald-dlq-delay-${t.name}`),
    topics: [topics.delay(t.name)],
    lane: 0,
    holdHorizonMs: horizonMs,
  }));
}

/**
 * Every record leaves its tier within the tier's length of entering it (`holdUntil`), so a tier
 * whose oldest waiting record has stood unmoved longer than that, plus this grace (commit interval,
 * fetch wait, a produce retry, the lag sampling), is stuck rather than waiting by design.
 */
export const OVERDUE_GRACE_MS = 10_000;

/** What `herald_delay_overdue_seconds` allows each tier topic before it counts as overdue. */
export function tierAllowance(
  topics: Pick<TopicNames, 'delay'>,
  tiers: readonly Tier[],
): (topic: string) => number | undefined {
  const byTopic = new Map(tiers.map((t) => [topics.delay(t.name), t.ms + OVERDUE_GRACE_MS]));
  return (topic) => byTopic.get(topic);
}

export function createTierProcessor(deps: TierDeps): RecordProcessor {
  const tierOf = new Map(deps.tiers.map((t) => [deps.topics.delay(t.name), t]));
  // From the start, at 0: a dashboard or alert on early releases reads 0 rather than no data, and
  // the first record leaving a tier counts (zeroSeries).
  const names = deps.tiers.map((t) => t.name);
  zeroSeries(deps.metrics.early, { tier: names });
  zeroSeries(deps.metrics.forwarded, { tier: names, to: ['target', 'tier'] });
  return {
    holdUntil(record) {
      const delay = delayOf(record.headers);
      if (!delay) return null;
      const tier = tierOf.get(record.topic);
      const enteredAt = Number(record.timestamp);
      // A tier no longer configured, or no timestamp: wait for the due time itself.
      if (!tier || !Number.isFinite(enteredAt)) return delay.dueAt;
      return holdUntil(deps.tiers, tier, enteredAt, delay.dueAt);
    },
    handle: (record) => Promise.resolve(forward(deps, tierOf, record)),
    onFailure: (record, err) => [parkedRecord(deps.topics)(record, err, true)],
  };
}

function forward(deps: TierDeps, tierOf: Map<string, Tier>, record: InboundRecord): Outcome {
  const delay = delayOf(record.headers);
  if (!delay)
    throw new HeraldError('malformed_payload', 'a delayed record needs due-at and target-topic headers');
  if (!isDelayTarget(deps.topics, delay.targetTopic)) {
    throw new HeraldError('malformed_payload', 'target-topic is not a priority or channel topic');
  }
  const tier = tierOf.get(record.topic)?.name ?? 'unknown';
  const now = deps.clock();
  const headers = headersToRecord(record.headers);
  const step = nextStep(deps.tiers, delay.dueAt, now);
  if (step.kind === 'wait') {
    const { record: next } = delayedRecord(
      deps.topics,
      deps.tiers,
      { key: copyKey(record), value: record.value, headers },
      delay.targetTopic,
      delay.dueAt,
      now,
    );
    return { records: [next], done: () => deps.metrics.forwarded.inc({ tier, to: 'tier' }) };
  }
  return {
    records: [
      {
        topic: delay.targetTopic,
        key: copyKey(record),
        value: record.value,
        headers: releasedHeaders(headers),
      },
    ],
    done: () => {
      deps.metrics.forwarded.inc({ tier, to: 'target' });
      const late = deps.clock() - delay.dueAt;
      if (late < 0) deps.metrics.early.inc({ tier });
      else deps.metrics.lateness.observe({ tier }, late / 1000);
    },
  };
}
