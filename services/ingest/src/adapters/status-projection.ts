import { classifyError } from '@herald/shared';
import type {
  Codec,
  ConsumerOptions,
  Counter,
  Gauge,
  Kafka,
  Logger,
  Pool,
  ReadinessCheck,
  StatusEvent,
} from '@herald/shared';

const CHUNK = 500;

export interface StatusProjection {
  readiness(): ReadinessCheck;
  stop(): Promise<void>;
}

interface Summary {
  userId?: unknown;
  category?: unknown;
  priority?: unknown;
  createdAt?: unknown;
}

function summaryOf(e: StatusEvent): Summary | null {
  if (!e.detail) return null;
  try {
    const d = JSON.parse(e.detail) as Summary;
    return typeof d.userId === 'string' ? d : null;
  } catch {
    return null;
  }
}

async function writeChunk(pool: Pool, events: StatusEvent[]): Promise<void> {
  const notifications = new Map<string, Summary>();
  for (const e of events) {
    const s = summaryOf(e);
    if (s && !notifications.has(e.notificationId)) notifications.set(e.notificationId, s);
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (notifications.size > 0) {
      const params: unknown[] = [];
      const values = [...notifications].map(([id, s], i) => {
        params.push(
          id,
          s.userId,
          s.category ?? null,
          s.priority ?? null,
          typeof s.createdAt === 'number' ? new Date(s.createdAt) : null,
        );
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
      });
      await client.query(
        `INSERT INTO notifications (id, user_id, category, priority, created_at) VALUES ${values.join(', ')}
         ON CONFLICT (id) DO NOTHING`,
        params,
      );
    }
    const params: unknown[] = [];
    const values = events.map((e, i) => {
      params.push(
        e.eventId,
        e.notificationId,
        e.status,
        e.channel,
        new Date(e.at),
        e.service,
        e.providerMessageId,
        e.reason,
        e.detail,
      );
      const b = i * 9;
      return `(${Array.from({ length: 9 }, (_, j) => `$${b + j + 1}`).join(', ')})`;
    });
    await client.query(
      `INSERT INTO notification_events
         (event_id, notification_id, status, channel, at, service, provider_message_id, reason, detail)
       VALUES ${values.join(', ')} ON CONFLICT (event_id) DO NOTHING`,
      params,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Projects notify.status into Postgres off the delivery path: a batch of events becomes a few
 * multi-row inserts, and its offsets are committed after the insert. Redelivered events are
 * dropped by their event id.
 */
export async function startStatusProjection(deps: {
  kafka: Kafka;
  consumerOptions: ConsumerOptions;
  groupId: string;
  topic: string;
  codec: Codec;
  pool: Pool;
  log: Logger;
  metrics: { projected: Counter; lag: Gauge };
}): Promise<StatusProjection> {
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    allowAutoTopicCreation: false,
    ...deps.consumerOptions,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topics: [deps.topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const events: StatusEvent[] = [];
      for (const m of batch.messages) {
        try {
          events.push((await deps.codec.decode(m.value)) as StatusEvent);
        } catch (err) {
          // A registry outage is waited out (the batch is retried); a bad record is skipped.
          if (classifyError(err).retriable) throw err;
          deps.log.error(
            { err, offset: m.offset, partition: batch.partition },
            'skipping undecodable status event',
          );
        }
      }
      for (let i = 0; i < events.length; i += CHUNK) {
        await writeChunk(deps.pool, events.slice(i, i + CHUNK));
        await payload.heartbeat();
      }
      if (!payload.isRunning() || payload.isStale()) return;
      const last = batch.messages.at(-1);
      if (last) payload.resolveOffset(last.offset);
      deps.metrics.projected.inc(events.length);
      const newest = events.reduce((max, e) => Math.max(max, e.at), 0);
      if (newest > 0) deps.metrics.lag.set(Math.max(0, (Date.now() - newest) / 1000));
    },
  });
  return {
    readiness: () => ({ name: 'status-projection', check: () => Promise.resolve(joined) }),
    stop: () => consumer.disconnect(),
  };
}
