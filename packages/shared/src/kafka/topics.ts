import { CHANNELS, PRIORITIES } from '../domain/types';
import type { Channel, Priority } from '../domain/types';

/** Delay tiers of the retry engine, shortest first (DESIGN.md §4). */
export const DEFAULT_DELAY_TIERS = ['1s', '5s', '30s', '2m', '10m', '1h'] as const;

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configs?: Record<string, string>;
}

/**
 * Topic names of DESIGN.md §3. The prefix is empty in every real environment; tests set one so
 * that each run owns its topics on a shared broker.
 */
export function topicNames(prefix = '') {
  const lane = (p: Priority) => p.toLowerCase();
  return {
    priority: (p: Priority) => `${prefix}notify.priority.${lane(p)}`,
    channel: (c: Channel, p: Priority) => `${prefix}notify.channel.${c.toLowerCase()}.${lane(p)}`,
    delay: (tier: string) => `${prefix}notify.delay.${tier}`,
    dlq: `${prefix}notify.dlq`,
    parked: `${prefix}notify.parked`,
    status: `${prefix}notify.status`,
    /** Consumer group ids share the prefix, so isolated pipelines never share a group. */
    group: (name: string) => `${prefix}${name}`,
  };
}
export type TopicNames = ReturnType<typeof topicNames>;

const THIRTY_DAYS_MS = String(30 * 24 * 3600 * 1000);

/** Every topic with the partition counts of DESIGN.md §3. */
export function topicSpecs(prefix = '', tiers: readonly string[] = DEFAULT_DELAY_TIERS): TopicSpec[] {
  const t = topicNames(prefix);
  return [
    ...PRIORITIES.map((p) => ({ topic: t.priority(p), numPartitions: 12 })),
    ...CHANNELS.flatMap((c) => PRIORITIES.map((p) => ({ topic: t.channel(c, p), numPartitions: 12 }))),
    { topic: t.dlq, numPartitions: 12 },
    ...tiers.map((tier) => ({ topic: t.delay(tier), numPartitions: 6 })),
    { topic: t.parked, numPartitions: 3, configs: { 'retention.ms': THIRTY_DAYS_MS } },
    { topic: t.status, numPartitions: 12 },
  ];
}
