import { randomUUID } from 'node:crypto';
import type { Codec, Producer } from '@herald/shared';
import { toChannelMessage } from '../dispatch-workload';
import type { DispatchChannel, PlannedMessage } from '../dispatch-workload';
import type { LoadContext, LoadStats } from '../phase';
import { producedStats } from './produce';

/**
 * (g) Rendered messages straight to one channel topic, as the router writes them: Avro through the
 * registry, keyed by user, in large `sendBatch` calls (idempotent producer, acks=all), one after
 * the other. `createdAt` is the time of the batch.
 */
export async function produceChannelMessages(
  opts: {
    producer: Producer;
    codec: Codec;
    topic: string;
    channel: DispatchChannel;
    planned: readonly PlannedMessage[];
    batch: number;
  },
  ctx: LoadContext,
): Promise<LoadStats> {
  const startedAt = Date.now();
  for (let i = 0; i < opts.planned.length; i += opts.batch) {
    const slice = opts.planned.slice(i, i + opts.batch);
    const createdAt = Date.now();
    const messages: { key: string; value: Buffer }[] = [];
    for (const p of slice) {
      const id = randomUUID();
      const value = await opts.codec.encode(opts.topic, toChannelMessage(p, opts.channel, id, createdAt));
      messages.push({ key: p.userId, value });
      ctx.tracker.started(p.index, createdAt, id);
    }
    await opts.producer.sendBatch({ acks: -1, topicMessages: [{ topic: opts.topic, messages }] });
    ctx.counters.accepted += slice.length;
  }
  return producedStats(ctx, startedAt, opts.planned.length, opts.batch);
}
