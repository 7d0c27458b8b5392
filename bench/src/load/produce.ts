import { randomUUID } from 'node:crypto';
import type { Codec, Producer, TopicNames } from '@herald/shared';
import type { LoadContext, LoadStats } from '../phase';
import { ratePerSecond } from '../stats';
import { toRequest } from '../workload';
import type { Planned } from '../workload';

interface Message {
  key: string;
  value: Buffer;
}

/** Encodes a slice of notifications (Avro, registry wire format), createdAt = now, grouped by topic. */
export async function encodeSlice(
  codec: Codec,
  topics: TopicNames,
  slice: readonly Planned[],
  onEach: (p: Planned, id: string, createdAt: number) => void,
): Promise<Map<string, Message[]>> {
  const createdAt = Date.now();
  const byTopic = new Map<string, Message[]>();
  for (const p of slice) {
    const request = toRequest(p, randomUUID(), createdAt);
    const topic = topics.priority(request.priority);
    const list = byTopic.get(topic) ?? [];
    list.push({ key: p.userId, value: await codec.encode(topic, request) });
    byTopic.set(topic, list);
    onEach(p, request.id, createdAt);
  }
  return byTopic;
}

/**
 * (a1) Straight to the priority topics, as any producer may: large `sendBatch` calls from an
 * idempotent producer with acks=all, one after the other.
 */
export async function produceToKafka(
  opts: { producer: Producer; codec: Codec; topics: TopicNames; planned: readonly Planned[]; batch: number },
  ctx: LoadContext,
): Promise<LoadStats> {
  const startedAt = Date.now();
  for (let i = 0; i < opts.planned.length; i += opts.batch) {
    const slice = opts.planned.slice(i, i + opts.batch);
    const byTopic = await encodeSlice(opts.codec, opts.topics, slice, (p, id, at) =>
      ctx.tracker.started(p.index, at, id),
    );
    await opts.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    ctx.counters.accepted += slice.length;
  }
  return producedStats(ctx, startedAt, opts.planned.length, opts.batch);
}

/** What producing straight to Kafka reports: every record accepted, one request per slice of `batch`. */
export function producedStats(
  ctx: LoadContext,
  startedAt: number,
  planned: number,
  batch: number,
): LoadStats {
  const endedAt = Date.now();
  return {
    accepted: ctx.counters.accepted,
    failed: 0,
    failures: {},
    startedAt,
    endedAt,
    acceptedPerSecond: ratePerSecond(ctx.counters.accepted, endedAt - startedAt),
    requests: Math.ceil(planned / batch),
  };
}
