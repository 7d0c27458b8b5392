/** A partition's log start and end, as Kafka's ListOffsets answers them (kafkajs: `low`, `high`). */
export interface PartitionEnds {
  low: string | number;
  high: string | number;
}

/**
 * Records of one partition a consumer group has still to read: the end minus the committed offset,
 * or minus the log start where the group has committed nothing (it starts at the beginning, so all
 * that is there is lag), never below 0. `committed` is Kafka's answer: "-1" for nothing committed.
 */
export function partitionBacklog(
  committed: string | number | undefined,
  ends: PartitionEnds,
): { from: number; lag: number; committed: boolean } {
  const done = Number(committed ?? -1);
  const has = Number.isFinite(done) && done >= 0;
  const from = has ? done : Number(ends.low);
  return { from, lag: Math.max(0, Number(ends.high) - from), committed: has };
}
