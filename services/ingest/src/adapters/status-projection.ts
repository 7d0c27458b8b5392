import { HeraldError, STATUSES, UUID, classifyError, dlqRecord, trackConsumer } from '@herald/shared';
import { writeEvents } from './status-store';
import type {
  Codec,
  Consumer,
  EachBatchPayload,
  ConsumerOptions,
  Counter,
  Gauge,
  InboundRecord,
  Kafka,
  Logger,
  OutboundRecord,
  Pool,
  Publisher,
  StatusEvent,
  TopicNames,
} from '@herald/shared';

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

export interface StatusProjection {
  groupId: string;
  stop(): Promise<void>;
}

const RESTART_AFTER_MS = 5000;

/**
 * Projects notify.status into Postgres off the delivery path: a batch of events becomes a few
 * multi-row inserts, and its offsets are committed after the insert. Redelivered events are
 * dropped by their event id. An event that cannot be decoded or stored is handed to notify.dlq
 * (parked there) instead of failing its batch; a registry or Postgres outage is waited out. It is
 * not part of ingest's readiness: accepting notifications never waits for it, and a consumer that
 * crashes for good is replaced after a pause instead of taking the API down.
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
  metrics: { projected: Counter; lag: Gauge };
}): Promise<StatusProjection> {
  const handleBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const events: StatusEvent[] = [];
    const records = new Map<StatusEvent, InboundRecord>();
    const rejected: OutboundRecord[] = [];
    const park = (record: InboundRecord, err: HeraldError) => {
      deps.log.error(
        { offset: record.offset, partition: record.partition, reason: err.message },
        'parking status event',
      );
      rejected.push(dlqRecord(deps.topics, record, err, Date.now()));
    };
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
        records.set(event, record);
      } catch (e) {
        const err = classifyError(e);
        if (err.code === 'dependency_unavailable') throw err;
        park(record, err);
      }
    }
    const refused = await writeEvents(deps.pool, events, () => payload.heartbeat());
    for (const { event, reason } of refused) {
      const record = records.get(event);
      if (record) park(record, new HeraldError('malformed_payload', `not storable: ${reason}`));
    }
    await deps.publisher.publish(rejected);
    if (!payload.isRunning() || payload.isStale()) return;
    const last = batch.messages.at(-1);
    if (last) payload.resolveOffset(last.offset);
    deps.metrics.projected.inc(events.length - refused.length);
    const newest = events.reduce((max, e) => Math.max(max, e.at), 0);
    if (newest > 0) deps.metrics.lag.set(Math.max(0, (Date.now() - newest) / 1000));
  };

  let current: Consumer | undefined;
  let stopped = false;
  const start = async (): Promise<void> => {
    const consumer = deps.kafka.consumer({
      groupId: deps.groupId,
      allowAutoTopicCreation: false,
      ...deps.consumerOptions,
    });
    current = consumer;
    trackConsumer(consumer, deps.groupId, deps.log, () => {
      if (stopped) return;
      setTimeout(() => {
        void consumer
          .disconnect()
          .catch(() => undefined)
          .then(() => (stopped ? undefined : start()))
          .catch((err: unknown) => deps.log.error({ err }, 'could not restart the status projection'));
      }, RESTART_AFTER_MS).unref();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [deps.topics.status], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 2,
      eachBatch: handleBatch,
    });
  };
  await start();
  return {
    groupId: deps.groupId,
    stop: async () => {
      stopped = true;
      await current?.disconnect();
    },
  };
}
