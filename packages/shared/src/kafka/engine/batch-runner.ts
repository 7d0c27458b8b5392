import { setMaxListeners } from 'node:events';
import type { EachBatchPayload } from 'kafkajs';
import { classifyError } from '../../errors';
import type { HeraldError } from '../../errors';
import type { Logger } from '../../logger';
import type { OutboundRecord, Publisher } from '../publisher';
import { sleep, waitDelay } from './backoff';
import type { Holds } from './holds';
import { OffsetTracker } from './offsets';
import { yieldTurn } from './turns';
import type { InboundRecord, Outcome, RecordProcessor } from './processor';
import type { Slots } from './slots';
import type { Waits } from './waits';

/** What every batch of one engine shares. */
export interface BatchDeps<C> {
  processor: RecordProcessor<C>;
  publisher: Publisher;
  slots: Slots;
  waits: Waits;
  /** Records with the same key are handled one after another, in offset order. */
  orderByKey: boolean;
  /** The copy that goes to notify.parked when even the failure path's records are refused. */
  lastResort(record: InboundRecord, err: HeraldError, withValue: boolean): OutboundRecord;
  /** notify.parked (with the prefix): where the last resort's own fallback goes. */
  parkedTopic: string;
  log: Logger;
  /** After a rebalance or stop, how long records already in flight may take to finish. */
  drainMs: number;
  /** How often a long batch heartbeats, commits what it resolved and looks for a stop. */
  tickMs: number;
  /** Partitions paused until a record is due: for processors with `holdUntil`. */
  holds?: Holds;
}

/** kafkajs error types after which this member's batch must end so kafkajs can rejoin. */
const REJOIN = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR',
]);

function toInbound(
  topic: string,
  partition: number,
  lane: number,
  m: EachBatchPayload['batch']['messages'][number],
): InboundRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: m.headers ?? {},
    timestamp: m.timestamp,
    lane,
  };
}

/**
 * One fetched batch (kafkajs `eachBatch`, auto-resolve off): its records run concurrently within
 * the engine's slots, in offset order per key where asked; each record's outputs are produced, and
 * the batch's offset is resolved up to the unbroken run of finished records. On a rebalance or a
 * stop no new record starts, records in flight get `drainMs` to finish, and once this returns
 * nothing of it resolves an offset again, so an older generation's work never moves a newer one's.
 */
export async function runBatch<C>(
  payload: EachBatchPayload,
  lane: number,
  deps: BatchDeps<C>,
): Promise<void> {
  const { batch } = payload;
  const fetched = batch.messages.map((m) => toInbound(batch.topic, batch.partition, lane, m));
  const plan = planHolds(fetched, payload, deps);
  const tracker = new OffsetTracker(fetched.map((r) => r.offset));
  // Done in an earlier fetch (a held batch handles records out of offset order): only resolved now.
  let resolvable: string | null = null;
  for (const index of plan.done) resolvable = tracker.finish(index) ?? resolvable;
  if (resolvable !== null) payload.resolveOffset(resolvable);
  if (plan.handle.length === 0) return;
  const records = plan.handle.map((i) => fetched[i]).filter((r): r is InboundRecord => r !== undefined);
  const holds = plan.holds;
  const abort = new AbortController();
  // Every record of the batch waiting for a slot listens on it: thousands is expected, not a leak.
  setMaxListeners(0, abort.signal);
  let closed = false;
  // Set from the heartbeat callback: a holder, so the check after the drain is not narrowed away.
  const ended: { rejoin?: Error } = {};

  const heartbeat = async () => {
    try {
      await payload.heartbeat();
    } catch (e) {
      const type = (e as { type?: unknown }).type;
      if (typeof type === 'string' && REJOIN.has(type)) {
        ended.rejoin ??= e instanceof Error ? e : new Error(String(e));
        abort.abort();
      } else deps.log.warn({ err: (e as Error).message }, 'heartbeat failed, trying again');
    }
  };
  const tick = setInterval(() => {
    if (!payload.isRunning() || payload.isStale()) abort.abort();
    void heartbeat();
    payload.commitOffsetsIfNecessary().catch((e: unknown) => {
      deps.log.warn({ err: (e as Error).message }, 'offset commit failed, trying again');
    });
  }, deps.tickMs);
  tick.unref();

  const partitionKey = `${batch.topic}:${batch.partition}`;
  const finish = (index: number) => {
    if (closed || payload.isStale()) return;
    const offset = tracker.finish(index);
    if (holds) {
      const record = fetched[index];
      if (record) deps.holds?.markDone(partitionKey, record.offset);
      if (offset !== null) deps.holds?.forget(partitionKey, offset);
    }
    if (offset !== null) payload.resolveOffset(offset);
  };

  const work = async () => {
    const context = await prepare(records, lane, abort.signal, deps);
    const chains = new Map<string, Promise<boolean>>();
    // Held records start in the order they fall due, so those already due go out in that order too
    // (unless records of one key must keep their offset order).
    const order =
      holds && !deps.orderByKey
        ? [...plan.handle].sort((a, b) => (holds[a] ?? 0) - (holds[b] ?? 0) || a - b)
        : plan.handle;
    const tasks = order.map((index) => {
      const record = fetched[index];
      if (!record) return Promise.resolve(false);
      const run = async (): Promise<boolean> => {
        if (!payload.isRunning() || payload.isStale()) abort.abort();
        const hold = holds?.[index] ?? null;
        if (hold !== null && hold > Date.now() && !(await sleep(hold - Date.now(), abort.signal)))
          return false;
        const ok = await handleRecord(record, context, lane, abort.signal, deps);
        if (ok) finish(index);
        void heartbeat();
        return ok;
      };
      if (!deps.orderByKey || record.key === null) return run();
      const key = record.key.toString('latin1');
      // A record whose predecessor did not finish (stop, rebalance) does not start.
      const task = (chains.get(key) ?? Promise.resolve(true)).then((ok) => (ok ? run() : false));
      chains.set(key, task);
      return task;
    });
    await Promise.all(tasks);
  };

  try {
    // The batch's preparation is under the drain deadline too: a slow query cannot hold a rebalance.
    await drain(work(), abort.signal, deps.drainMs);
  } finally {
    closed = true;
    clearInterval(tick);
  }
  if (ended.rejoin) throw ended.rejoin;
}

/**
 * Which records of a fetched batch to handle now (indices into the batch), and which were done in
 * an earlier fetch. Without holds: all of them. With holds (the delay tiers), those due within the
 * horizon, each to wait out its hold in the batch; the partition is paused until shortly before
 * the earliest of the others is due, and they are fetched again then. Holds are not in offset
 * order (a record in its last stretch waits until its own due time), so a record may be handled
 * before one ahead of it: its offset cannot be resolved yet, and it is remembered as done so the
 * next fetch does not handle it twice (engine/holds.ts).
 */
function planHolds<C>(
  fetched: InboundRecord[],
  payload: EachBatchPayload,
  deps: BatchDeps<C>,
): { handle: number[]; done: number[]; holds?: (number | null)[] } {
  const { processor, holds } = deps;
  const all = fetched.map((_, i) => i);
  if (!processor.holdUntil || !holds) return { handle: all, done: [] };
  const first = fetched[0];
  const key = `${first?.topic}:${first?.partition}`;
  const until = fetched.map((r) => processor.holdUntil?.(r) ?? null);
  const horizon = Date.now() + holds.horizonMs;
  const handle: number[] = [];
  const done: number[] = [];
  let resumeAt = Number.POSITIVE_INFINITY;
  for (const [i, record] of fetched.entries()) {
    const hold = until[i] ?? null;
    if (holds.isDone(key, record.offset)) done.push(i);
    else if (hold === null || hold <= horizon) handle.push(i);
    else resumeAt = Math.min(resumeAt, hold - holds.horizonMs);
  }
  if (Number.isFinite(resumeAt)) holds.pauseUntil(key, resumeAt, () => payload.pause());
  return { handle, done, holds: until };
}

/** All of `work`, or once `signal` aborts, what of it finishes within `drainMs`. */
async function drain(work: Promise<unknown>, signal: AbortSignal, drainMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    const start = () => {
      timer = setTimeout(resolve, drainMs);
    };
    if (signal.aborted) start();
    else signal.addEventListener('abort', start, { once: true });
  });
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the processor's per-batch preparation in a slot of the batch's lane, so lane priority holds
 * for it too: a low batch's decoding and queries do not start while a critical record is in hand.
 */
async function prepare<C>(
  records: InboundRecord[],
  lane: number,
  signal: AbortSignal,
  deps: BatchDeps<C>,
): Promise<C | undefined> {
  const { processor } = deps;
  if (!processor.prepare) return undefined;
  const result = await deps.waits.retry(signal, async () => {
    const release = await deps.slots.acquire(lane, signal);
    if (!release) throw new Stopped();
    try {
      await yieldTurn(lane);
      return await processor.prepare?.(records);
    } finally {
      release();
    }
  });
  if (result.kind === 'ok') return result.value;
  // Not a dependency: each record's own handling will meet (and place) the problem.
  if (result.kind === 'failed') deps.log.warn({ err: result.error.message }, 'batch preparation failed');
  return undefined;
}

/** Thrown when a record is to start no more (its batch stopped): never handed to a failure path. */
class Stopped extends Error {}

/** Decides one record and produces its outcome; false when it was stopped before finishing. */
async function handleRecord<C>(
  record: InboundRecord,
  context: C | undefined,
  lane: number,
  signal: AbortSignal,
  deps: BatchDeps<C>,
): Promise<boolean> {
  // A slot per try: a record waiting out an outage or another consumer's claim holds none meanwhile.
  const result = await deps.waits.retry(signal, async () => {
    const release = await deps.slots.acquire(lane, signal);
    if (!release) throw new Stopped();
    try {
      // A freed slot starts the next record in the same turn of the event loop: without this, a
      // fetched batch that needs no I/O would run to its end before any socket is read.
      await yieldTurn(lane);
      return await deps.processor.handle(record, context);
    } finally {
      release();
    }
  });
  if (result.kind === 'aborted') return false;
  const outcome = result.kind === 'ok' ? result.value : failureOutcome(record, result.error, deps);
  return produce(record, outcome, lane, signal, deps);
}

function failureOutcome<C>(record: InboundRecord, err: HeraldError, deps: BatchDeps<C>): Outcome {
  const where = { topic: record.topic, partition: record.partition, offset: record.offset };
  let records: OutboundRecord[];
  try {
    records = deps.processor.onFailure(record, err);
  } catch (e) {
    deps.log.error({ ...where, err: classifyError(e).message }, 'failure path threw, parking the record');
    records = [safeLastResort(record, err, deps)];
  }
  return {
    records,
    done: () =>
      deps.log.warn(
        { ...where, code: err.code, disposition: err.disposition, reason: err.message },
        'record handed on',
      ),
  };
}

/** The last resort cannot fail: a record it cannot describe is parked with the bare minimum. */
function safeLastResort<C>(
  record: InboundRecord,
  err: HeraldError,
  deps: BatchDeps<C>,
  withValue = true,
): OutboundRecord {
  try {
    return deps.lastResort(record, err, withValue);
  } catch {
    return {
      topic: deps.parkedTopic,
      key: `${record.topic}:${record.partition}:${record.offset}`,
      value: null,
      headers: { 'parked-reason': err.code, 'source-topic': record.topic, 'source-offset': record.offset },
    };
  }
}

/**
 * Produces a record's outcome. An outage is waited out in place; records Kafka refuses (too large,
 * say) become the failure path's records, and if those are refused too, a copy on notify.parked
 * (without its value if need be). A record is never finished without something acknowledged.
 */
async function produce<C>(
  record: InboundRecord,
  outcome: Outcome,
  lane: number,
  signal: AbortSignal,
  deps: BatchDeps<C>,
): Promise<boolean> {
  // After the outcome: the failure path's records, then a parked copy, then a parked copy without
  // its value. If even that is refused, it is retried after a pause rather than skipped.
  const fallbacks: ((err: HeraldError) => Outcome)[] = [
    (err) => failureOutcome(record, err, deps),
    (err) => ({ records: [safeLastResort(record, err, deps, true)] }),
    (err) => ({ records: [safeLastResort(record, err, deps, false)] }),
  ];
  let current = outcome;
  // Encoding the records is CPU work too.
  await yieldTurn(lane);
  for (let refusals = 1; ; refusals++) {
    const result = await deps.waits.retry(signal, () => deps.publisher.publish(current.records, { lane }));
    if (result.kind === 'aborted') return false;
    if (result.kind === 'ok') {
      try {
        current.done?.();
      } catch (e) {
        // Metrics and logs only: the record is produced, it must count as finished.
        deps.log.error({ err: classifyError(e).message }, 'outcome callback threw');
      }
      return true;
    }
    deps.log.error(
      { topic: record.topic, partition: record.partition, offset: record.offset, err: result.error.message },
      'outputs refused by Kafka',
    );
    const fallback = fallbacks.shift();
    if (fallback) current = fallback(result.error);
    else if (!(await sleep(waitDelay(refusals), signal))) return false;
  }
}
