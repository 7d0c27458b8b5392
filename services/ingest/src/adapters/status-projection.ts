import {
  HeraldError,
  STATUSES,
  UUID,
  classifyError,
  dlqRecord,
  startConsumers,
  yieldTurn,
} from '@herald/shared';
import { writeEvents } from './status-store';
import type {
  Codec,
  ConsumerOptions,
  Counter,
  Gauge,
  InboundRecord,
  Kafka,
  LagReporter,
  Logger,
  Outcome,
  Pool,
  Publisher,
  RecordProcessor,
  RunningConsumers,
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

export interface ProjectionDeps {
  codec: Codec;
  pool: Pool;
  topics: TopicNames;
  clock: () => number;
  metrics: { projected: Counter; lag: Gauge };
}

/** Per record of a fetched batch: stored, or why not (a HeraldError to hand on). */
type Projected = Map<InboundRecord, HeraldError | null>;

async function decodeEvent(codec: Codec, record: InboundRecord): Promise<StatusEvent> {
  const event = (await codec.decode(record.value)) as StatusEvent;
  const reason = invalidReason(event);
  if (reason) throw new HeraldError('malformed_payload', reason);
  return event;
}

/**
 * The projection's decisions. The work happens once per fetched batch (`prepare`): decode every
 * event and store them with a few multi-row inserts; redelivered events are dropped by their event
 * id. Each record's outcome then only reports what happened to it: an event that cannot be decoded
 * or stored goes to notify.dlq (and is parked there). An outage of Postgres or the registry makes
 * the batch wait in place.
 */
export function createProjectionProcessor(deps: ProjectionDeps): RecordProcessor<Projected> {
  const store = async (records: InboundRecord[]): Promise<Projected> => {
    const result: Projected = new Map();
    const events = new Map<StatusEvent, InboundRecord>();
    for (const record of records) {
      await yieldTurn(record.lane);
      try {
        events.set(await decodeEvent(deps.codec, record), record);
      } catch (e) {
        const err = classifyError(e);
        if (err.disposition === 'wait') throw err;
        result.set(record, err);
      }
    }
    const refused = await writeEvents(deps.pool, [...events.keys()]);
    const refusedEvents = new Map(refused.map((r) => [r.event, r.reason]));
    for (const [event, record] of events) {
      const reason = refusedEvents.get(event);
      result.set(
        record,
        reason === undefined ? null : new HeraldError('malformed_payload', `not storable: ${reason}`),
      );
    }
    deps.metrics.projected.inc(events.size - refused.length);
    const newest = [...events.keys()].reduce((max, e) => Math.max(max, e.at), 0);
    if (newest > 0) deps.metrics.lag.set(Math.max(0, (deps.clock() - newest) / 1000));
    return result;
  };

  return {
    prepare: store,
    async handle(record, projected): Promise<Outcome> {
      // Without a batch result (its preparation failed), the record is stored on its own.
      const err = projected?.has(record) ? projected.get(record) : (await store([record])).get(record);
      if (err) throw err;
      return { records: [] };
    },
    onFailure: (record, err) => [dlqRecord(deps.topics, record, err, deps.clock())],
  };
}

export interface StatusProjection extends Pick<RunningConsumers, 'stop'> {
  groupId: string;
}

const RESTART_AFTER_MS = 5000;

/**
 * Projects notify.status into Postgres off the delivery path, on the shared engine. It is not part
 * of ingest's readiness: accepting notifications never waits for it, and if its consumer crashes
 * for good it is started again after a pause instead of taking the API down.
 */
export async function startStatusProjection(
  deps: ProjectionDeps & {
    kafka: Kafka;
    consumerOptions: ConsumerOptions;
    groupId: string;
    publisher: Publisher;
    log: Logger;
    lag: LagReporter;
    /** Records of fetched batches worked on at once (their store is one insert per batch anyway). */
    concurrency: number;
  },
): Promise<StatusProjection> {
  const processor = createProjectionProcessor(deps);
  let running: RunningConsumers | undefined;
  let stopped = false;
  const start = async (): Promise<void> => {
    running = await startConsumers({
      kafka: deps.kafka,
      groups: [{ groupId: deps.groupId, topics: [deps.topics.status] }],
      processor,
      publisher: deps.publisher,
      topics: deps.topics,
      concurrency: deps.concurrency,
      orderByKey: false,
      log: deps.log,
      options: deps.consumerOptions,
      lag: deps.lag,
      onFatal: () => void restart(),
    });
  };
  /** Stops what is left of the crashed consumer and starts a new one, again and again until it runs. */
  const restart = async (): Promise<void> => {
    for (let attempt = 1; !stopped; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(RESTART_AFTER_MS * attempt, 60_000)).unref());
      if (stopped) return;
      try {
        await running?.stop().catch(() => undefined);
        await start();
        deps.log.info({ attempt }, 'status projection restarted');
        return;
      } catch (err) {
        deps.log.error({ err: (err as Error).message, attempt }, 'could not restart the status projection');
      }
    }
  };
  await start();
  return {
    groupId: deps.groupId,
    stop: async () => {
      stopped = true;
      await running?.stop();
    },
  };
}
