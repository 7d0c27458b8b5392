import type { IHeaders } from 'kafkajs';
import { tierFor } from '../domain/delay';
import type { Tier } from '../domain/delay';
import { CHANNELS, PRIORITIES } from '../domain/types';
import { H, headerString } from './headers';
import type { OutboundRecord } from './publisher';
import type { TopicNames } from './topics';

/** Headers that only mean something while a record waits in the delay tiers. */
const DELAY_HEADERS: readonly string[] = [H.dueAt, H.targetTopic];

/**
 * A record handed to the delay engine (DESIGN.md §4): it waits in the tier that fits `dueAt` and is
 * released to `targetTopic`, with the same key, value and other headers, once due. Retries,
 * scheduled sends and deferrals all come this way.
 */
export function delayedRecord(
  topics: Pick<TopicNames, 'delay'>,
  tiers: readonly Tier[],
  record: { key: Buffer | string; value: Buffer | null; headers: Record<string, string> },
  targetTopic: string,
  dueAt: number,
  now: number,
): { record: OutboundRecord; tier: Tier } {
  const tier = tierFor(tiers, dueAt - now);
  return {
    tier,
    record: {
      topic: topics.delay(tier.name),
      key: record.key,
      value: record.value,
      headers: { ...record.headers, [H.dueAt]: new Date(dueAt).toISOString(), [H.targetTopic]: targetTopic },
    },
  };
}

/**
 * Whether the delay engine may release a record to `topic`: a priority or channel topic. A target
 * header comes from whoever wrote the record; the engine must not be a way to write elsewhere
 * (into notify.status, say).
 */
export function isDelayTarget(topics: Pick<TopicNames, 'priority' | 'channel'>, topic: string): boolean {
  return (
    PRIORITIES.some((p) => topics.priority(p) === topic) ||
    CHANNELS.some((c) => PRIORITIES.some((p) => topics.channel(c, p) === topic))
  );
}

/** Where and when a record in a delay tier is to go; null when its headers do not say. */
export function delayOf(headers: IHeaders): { dueAt: number; targetTopic: string } | null {
  const due = Date.parse(headerString(headers, H.dueAt) ?? '');
  const targetTopic = headerString(headers, H.targetTopic);
  if (!Number.isFinite(due) || !targetTopic) return null;
  return { dueAt: due, targetTopic };
}

/** A released record's headers: its own, without the delay engine's. */
export function releasedHeaders(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const name of DELAY_HEADERS) delete out[name];
  return out;
}
