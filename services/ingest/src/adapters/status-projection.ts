import { HeraldError, STATUSES, UUID, classifyError, dlqRecord, trackConsumer } from '@herald/shared';
import type {
  Codec,
  ConsumerOptions,
  Counter,
  Gauge,
  InboundRecord,
  Kafka,
  Logger,
  OutboundRecord,
  Pool,
  Publisher,
  ReadinessCheck,
  StatusEvent,
  TopicNames,
} from '@herald/shared';

const CHUNK = 500;

export interface StatusProjection {
  groupId: string;
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

/** What the projection's columns require; a StatusEvent breaking it would fail its whole batch. */
function invalidReason(e: StatusEvent): string | null {
  if (!UUID.test(e.eventId)) return 'eventId is not a UUID';
  if (!UUID.test(e.notificationId)) return 'notificationId is not a UUID';
  if (!STATUSES.includes(e.status)) return `unknown status ${String(e.status)}`;
  if (!Number.isFinite(e.at)) return 'at is not a timestamp';
  if (e.detail !== null) {
    try {
      JSON.parse(e.detail);
    } catch {
      return 'detail is not JSON';
    }
  }
  return null;
}

/**
 * Projects notify.status into Postgres off the delivery path: a batch of events becomes a few
 * multi-row inserts, and its offsets are committed after the insert. Redelivered events are
 * dropped by their event id. An event that cannot be decoded or projected is handed to notify.dlq
 * (parked there) instead of failing the batch; a registry or Postgres outage is waited out.
 */
export async function startStatusProjection(deps: {
  kafka: Kafka;
  consumerOptions: ConsumerOptions;
  groupId: string;
  topics: TopicNames;
  codec: Codec;
  publisher: Publisher;
  pool: Pool;
  log: Logger;
  onFatal: (err: Error) => void;
  metrics: { projected: Counter; lag: Gauge };
}): Promise<StatusProjection> {
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    allowAutoTopicCreation: false,
    ...deps.consumerOptions,
  });
  const ready = trackConsumer(consumer, deps.groupId, deps.log, deps.onFatal);
  await consumer.connect();
  await consumer.subscribe({ topics: [deps.topics.status], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2,
    eachBatch: async (payload) => {
      const { batch } = payload;
      const events: StatusEvent[] = [];
      const rejected: OutboundRecord[] = [];
      for (const m of batch.messages) {
        const record: InboundRecord = {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          headers: m.headers ?? {},
          timestamp: m.timestamp,
        };
        try {
          const event = (await deps.codec.decode(m.value)) as StatusEvent;
          const reason = invalidReason(event);
          if (reason) throw new HeraldError('malformed_payload', reason);
          events.push(event);
        } catch (e) {
          const err = classifyError(e);
          if (err.code === 'dependency_unavailable') throw err;
          deps.log.error(
            { offset: m.offset, partition: batch.partition, reason: err.message },
            'parking status event',
          );
          rejected.push(dlqRecord(deps.topics, record, err, Date.now()));
        }
      }
      for (let i = 0; i < events.length; i += CHUNK) {
        await writeChunk(deps.pool, events.slice(i, i + CHUNK));
        await payload.heartbeat();
      }
      await deps.publisher.publish(rejected);
      if (!payload.isRunning() || payload.isStale()) return;
      const last = batch.messages.at(-1);
      if (last) payload.resolveOffset(last.offset);
      deps.metrics.projected.inc(events.length);
      const newest = events.reduce((max, e) => Math.max(max, e.at), 0);
      if (newest > 0) deps.metrics.lag.set(Math.max(0, (Date.now() - newest) / 1000));
    },
  });
  return {
    groupId: deps.groupId,
    readiness: () => ({ name: 'status-projection', check: () => Promise.resolve(ready()) }),
    stop: () => consumer.disconnect(),
  };
}
