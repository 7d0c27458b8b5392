import { partitionBacklog } from '@herald/shared/domain';
import { formatTable } from './table';

/** A partition's committed offset in a group ("-1": nothing committed). */
export interface Committed {
  partition: number;
  offset: string;
}

/** A partition's log start and end (kafkajs fetchTopicOffsets: `low`, `high`). */
export interface End {
  partition: number;
  low: string;
  high: string;
}

export interface TopicLag {
  group: string;
  topic: string;
  /** Records behind the end, over the topic's partitions. */
  lag: number;
  partitions: number;
  /** Partitions holding records where the group has committed nothing: counted from their start. */
  uncommitted: number;
}

/**
 * Records behind the end of one topic for one group, counted per partition as Herald's own lag
 * gauge counts them (shared's partitionBacklog).
 */
export function topicLag(group: string, topic: string, committed: Committed[], ends: End[]): TopicLag {
  let lag = 0;
  let uncommitted = 0;
  for (const end of ends) {
    const backlog = partitionBacklog(committed.find((c) => c.partition === end.partition)?.offset, end);
    if (!backlog.committed && Number(end.high) > Number(end.low)) uncommitted++;
    lag += backlog.lag;
  }
  return { group, topic, lag, partitions: ends.length, uncommitted };
}

export interface GroupInfo {
  group: string;
  state: string;
  members: number;
}

/**
 * The topics a group's members subscribed to, from their member metadata (Kafka's consumer
 * protocol: int16 version, int32 count, then each topic as int16 length and UTF-8 bytes; user
 * data after). Metadata of another protocol yields nothing rather than an error.
 */
export function subscribedTopics(metadata: Buffer): string[] {
  try {
    let at = 2;
    const count = metadata.readInt32BE(at);
    at += 4;
    if (count < 0 || count > 10_000) return [];
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = metadata.readInt16BE(at);
      at += 2;
      if (len < 0 || at + len > metadata.length) return [];
      topics.push(metadata.toString('utf8', at, at + len));
      at += len;
    }
    return topics;
  } catch {
    return [];
  }
}

/** The throwaway groups of `herald tail`: not a service's, never listed. */
export const TAIL_GROUP_PREFIX = 'herald-cli-tail-';

/** Herald's consumer groups (`<prefix>herald-…`), filtered by `--group` (a name or its start). */
export function selectGroups(all: string[], prefix: string, wanted?: string): string[] {
  const herald = all.filter((g) => g.startsWith(`${prefix}herald-`) && !g.startsWith(TAIL_GROUP_PREFIX));
  if (!wanted) return herald.sort();
  const full = wanted.startsWith(prefix) ? wanted : `${prefix}${wanted}`;
  return herald.filter((g) => g === full || g.startsWith(full)).sort();
}

/** Per group and topic, most lag first; then each group's total, most first. */
export function formatLag(rows: TopicLag[], groups: GroupInfo[]): string {
  if (rows.length === 0 && groups.length === 0) return 'no Herald consumer groups found';
  const sorted = [...rows].sort(
    (a, b) => b.lag - a.lag || a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic),
  );
  const totals = groups
    .map((g) => ({
      ...g,
      lag: rows.filter((r) => r.group === g.group).reduce((n, r) => n + r.lag, 0),
      topics: rows.filter((r) => r.group === g.group).length,
    }))
    .sort((a, b) => b.lag - a.lag || a.group.localeCompare(b.group));
  const byTopic = formatTable(
    [
      { header: 'GROUP', value: (r: TopicLag) => r.group },
      { header: 'TOPIC', value: (r) => r.topic },
      { header: 'PARTITIONS', value: (r) => r.partitions, align: 'right' },
      { header: 'LAG', value: (r) => r.lag, align: 'right' },
      {
        header: 'NOTE',
        value: (r) => (r.uncommitted > 0 ? `${r.uncommitted} partition(s) never committed` : ''),
      },
    ],
    sorted,
  );
  const byGroup = formatTable(
    [
      { header: 'GROUP', value: (g: (typeof totals)[number]) => g.group },
      { header: 'STATE', value: (g) => g.state },
      { header: 'MEMBERS', value: (g) => g.members, align: 'right' },
      { header: 'TOPICS', value: (g) => g.topics, align: 'right' },
      { header: 'TOTAL LAG', value: (g) => g.lag, align: 'right' },
    ],
    totals,
  );
  return `${byTopic}\n\n${byGroup}`;
}
