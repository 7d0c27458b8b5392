import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { PRIORITIES } from '../domain/types';
import type { Channel, Status, StatusEvent } from '../domain/types';
import type { Codec } from './codec';
import { HeraldError, classifyError } from '../errors';

export interface OutboundRecord {
  topic: string;
  /** Every record has one where it can (kafkajs re-spreads keyless records on retry); a copy keeps the bytes it came with. */
  key: string | Buffer | null;
  /** An object is Avro-encoded for its topic; a Buffer (or null) is forwarded as received. */
  value: object | Buffer | null;
  headers?: Record<string, string>;
}

export interface PublishOptions {
  /**
   * The lane the records belong to (0 = critical), when their topics do not say (a critical
   * record's status event, its copy for notify.dlq): critical goes through its own producer.
   */
  lane?: number;
}

/** Produces records durably: resolves only after every record is acknowledged by all in-sync replicas. */
export interface Publisher {
  publish(records: OutboundRecord[], opts?: PublishOptions): Promise<void>;
}

export interface PublisherOptions {
  /**
   * When idle, wait this long after the first publish before sending, to gather more (0: send on the
   * next turn of the event loop). While a request is in flight, publishes queue for the next one anyway.
   */
  lingerMs?: number;
  /** A produce request stays below this many bytes (the broker's message.max.bytes is 1 MiB). */
  maxRequestBytes?: number;
  /**
   * Producers for the lanes below critical (default 1). kafkajs's idempotent producer has one produce
   * request in flight per broker; with more, that many go out at once, each caller's records to the
   * least busy. Records of one key stay in order only for a caller that awaits its publish before
   * the next, as the engine does per key.
   */
  producers?: number;
}

interface Message {
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

/** One caller's records, settled together once a produce request carrying all of them is acknowledged. */
interface Pending {
  records: { topic: string; message: Message }[];
  bytes: number;
  lane: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** Lane index by topic suffix (`notify.priority.critical`, `notify.channel.email.low`, …); 0 is highest. */
const LANE_BY_SUFFIX = new Map<string, number>(PRIORITIES.map((p, i) => [`.${p.toLowerCase()}`, i]));
const NORMAL_LANE = PRIORITIES.indexOf('NORMAL');

/** A caller with a record on a higher lane's topic goes first into the next request (DESIGN.md §2.3). */
function laneOf(topics: string[]): number {
  let best = NORMAL_LANE;
  for (const t of topics)
    best = Math.min(best, LANE_BY_SUFFIX.get(t.slice(t.lastIndexOf('.'))) ?? NORMAL_LANE);
  return best;
}

/** Bytes a record adds to a produce request: key, value, headers and record overhead (a guess on the safe side). */
function sizeOf(m: Message): number {
  let n = 64 + (m.key ? Buffer.byteLength(m.key) : 0) + (m.value?.length ?? 0);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += 8 + Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/**
 * One caller's records in parts that each fit a request: a caller may publish more than a request
 * carries (a batch of 1,000 notifications), and the broker refuses a partition's batch over 1 MiB.
 */
export function splitBySize<R>(
  records: R[],
  sizeOf: (r: R) => number,
  maxBytes: number,
): { records: R[]; bytes: number }[] {
  const parts: { records: R[]; bytes: number }[] = [];
  let current: { records: R[]; bytes: number } = { records: [], bytes: 0 };
  for (const r of records) {
    const n = sizeOf(r);
    if (current.records.length > 0 && current.bytes + n > maxBytes) {
      parts.push(current);
      current = { records: [], bytes: 0 };
    }
    current.records.push(r);
    current.bytes += n;
  }
  if (current.records.length > 0) parts.push(current);
  return parts;
}

/** Higher lanes first, then in arrival order; as many callers as fit under the request size (one at least). */
export function takeRequest<P extends { bytes: number; lane: number }>(queue: P[], maxBytes: number): P[] {
  const order = queue.map((p, i) => ({ p, i })).sort((a, b) => a.p.lane - b.p.lane || a.i - b.i);
  const taken = new Set<number>();
  let bytes = 0;
  for (const { p, i } of order) {
    if (taken.size > 0 && bytes + p.bytes > maxBytes) break;
    taken.add(i);
    bytes += p.bytes;
  }
  const out = queue.filter((_, i) => taken.has(i));
  const rest = queue.filter((_, i) => !taken.has(i));
  queue.splice(0, queue.length, ...rest);
  return out.sort((a, b) => a.lane - b.lane);
}

/** Makes a new idempotent producer, not yet connected (see client.ts createProducer). */
export type ProducerFactory = () => Producer;

/** A publisher that owns its producers: connected at start, disconnected at shutdown. */
export interface ManagedPublisher extends Publisher {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * One producer and the queue in front of it. kafkajs's idempotent producer sends one request at a
 * time per broker and never merges concurrent sends, so publishes that arrive while a request is in
 * flight queue up and go out together as the next `sendBatch` (acks=all). Each caller's promise
 * settles when its own records are acknowledged. A request refused for its content (not for an
 * outage) is retried one caller at a time, so one caller's bad record fails only that caller.
 *
 * After any failed request the producer is replaced: kafkajs rolls its sequence numbers back on a
 * failure, and if the broker had in fact written the batch, the next one would be dropped as a
 * duplicate or refused as out of order. A new producer has a new producer id and fresh sequences.
 */
function lanePipe(
  newProducer: ProducerFactory,
  opts: Required<Pick<PublisherOptions, 'lingerMs' | 'maxRequestBytes'>>,
) {
  const queue: Pending[] = [];
  let producer = newProducer();
  let connecting: Promise<void> | null = null;
  let sending = false;
  let scheduled = false;
  let closed = false;
  /** The flush loop running now, awaited at close. */
  let flushing: Promise<void> = Promise.resolve();
  /** Disconnects of replaced producers, awaited at close. */
  const retired: Promise<void>[] = [];

  const connect = () => {
    connecting ??= producer.connect().catch((err: unknown) => {
      connecting = null;
      throw err;
    });
    return connecting;
  };

  const replace = () => {
    const old = producer;
    retired.push(old.disconnect().catch(() => undefined));
    if (closed) return;
    producer = newProducer();
    connecting = null;
  };

  const send = async (batch: Pending[]) => {
    const byTopic = new Map<string, Message[]>();
    for (const { records } of batch) {
      for (const { topic, message } of records) {
        const list = byTopic.get(topic) ?? [];
        list.push(message);
        byTopic.set(topic, list);
      }
    }
    if (closed) throw new HeraldError('dependency_unavailable', 'the publisher is closed (shutting down)');
    try {
      await connect();
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (err) {
      replace();
      throw err;
    }
  };

  const sendIsolated = async (batch: Pending[]) => {
    for (const p of batch) {
      try {
        await send([p]);
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  };

  const flush = async () => {
    scheduled = false;
    if (sending) return;
    sending = true;
    let done: () => void = () => undefined;
    flushing = new Promise<void>((resolve) => (done = resolve));
    try {
      while (queue.length > 0) {
        const batch = takeRequest(queue, opts.maxRequestBytes);
        try {
          await send(batch);
          for (const p of batch) p.resolve();
        } catch (err) {
          if (batch.length > 1 && classifyError(err).code !== 'dependency_unavailable')
            await sendIsolated(batch);
          else for (const p of batch) p.reject(err);
        }
      }
    } finally {
      sending = false;
      done();
    }
  };

  return {
    connect,
    /** Lets the request in flight finish, then disconnects; publishes after this are refused. */
    async disconnect() {
      closed = true;
      await flushing;
      for (const p of queue.splice(0))
        p.reject(new HeraldError('dependency_unavailable', 'the publisher is closed'));
      await producer.disconnect();
      await Promise.all(retired);
    },
    /** Callers waiting, and one more while a request is in flight. */
    load: () => queue.length + (sending ? 1 : 0),
    enqueue(p: Pending) {
      queue.push(p);
      if (sending || scheduled) return;
      scheduled = true;
      // setImmediate, not a microtask: callers that publish in the same turn of the loop share a request.
      if (opts.lingerMs > 0) setTimeout(() => void flush(), opts.lingerMs);
      else setImmediate(() => void flush());
    },
  };
}

/**
 * The publisher every service produces through. The critical lane has a producer of its own, so a
 * critical record never waits behind a request of the lower lanes (DESIGN.md §2.3); the others
 * share one (or a pool: `producers`), where higher lanes still go first into each request.
 */
export function createPublisher(
  newProducer: ProducerFactory,
  codec: Codec,
  opts: PublisherOptions = {},
): ManagedPublisher {
  const settings = { lingerMs: opts.lingerMs ?? 0, maxRequestBytes: opts.maxRequestBytes ?? 900 * 1024 };
  const critical = lanePipe(newProducer, settings);
  const others = Array.from({ length: Math.max(1, opts.producers ?? 1) }, () =>
    lanePipe(newProducer, settings),
  );
  const pipes = [critical, ...others];
  /** The least busy of the lower lanes' producers: an idle one, else the shortest queue. */
  const leastBusy = () => others.reduce((best, p) => (p.load() < best.load() ? p : best));

  return {
    async connect() {
      await Promise.all(pipes.map((p) => p.connect()));
    },
    async disconnect() {
      await Promise.all(pipes.map((p) => p.disconnect()));
    },
    async publish(records, publishOpts = {}) {
      if (records.length === 0) return;
      const encoded: Pending['records'] = [];
      for (const r of records) {
        const value =
          r.value === null || Buffer.isBuffer(r.value) ? r.value : await codec.encode(r.topic, r.value);
        encoded.push({
          topic: r.topic,
          message: { key: r.key, value, ...(r.headers ? { headers: r.headers } : {}) },
        });
      }
      const lane = Math.min(publishOpts.lane ?? NORMAL_LANE, laneOf(encoded.map((r) => r.topic)));
      const pipe = lane === 0 ? critical : leastBusy();
      // Settles when every part is acknowledged; parts may share requests with other callers.
      await Promise.all(
        splitBySize(encoded, (r) => sizeOf(r.message), settings.maxRequestBytes).map(
          (part) =>
            new Promise<void>((resolve, reject) => {
              pipe.enqueue({ records: part.records, bytes: part.bytes, lane, resolve, reject });
            }),
        ),
      );
    },
  };
}

export function statusEvent(fields: {
  notificationId: string;
  status: Status;
  service: string;
  at: number;
  channel?: Channel | null;
  providerMessageId?: string | null;
  reason?: string | null;
  detail?: object | null;
  /** Set for events that may be emitted again on redelivery, so the projection keeps one. */
  eventId?: string;
}): StatusEvent {
  return {
    eventId: fields.eventId ?? randomUUID(),
    notificationId: fields.notificationId,
    status: fields.status,
    channel: fields.channel ?? null,
    at: fields.at,
    service: fields.service,
    providerMessageId: fields.providerMessageId ?? null,
    reason: fields.reason ?? null,
    detail: fields.detail ? JSON.stringify(fields.detail) : null,
  };
}

/** A UUID-shaped id derived from its parts: the same parts always give the same id. */
export function stableEventId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
