import type { EachBatchPayload } from 'kafkajs';
import pino from 'pino';
import { HeraldError } from '../../../src/errors';
import { runBatch } from '../../../src/kafka/engine/batch-runner';
import type { BatchDeps } from '../../../src/kafka/engine/batch-runner';
import type { InboundRecord, Outcome, RecordProcessor } from '../../../src/kafka/engine/processor';
import { createHolds } from '../../../src/kafka/engine/holds';
import { prioritySlots } from '../../../src/kafka/engine/slots';
import { createWaits } from '../../../src/kafka/engine/waits';
import { parkedRecord } from '../../../src/kafka/dead-letter';
import type { OutboundRecord, Publisher } from '../../../src/kafka/publisher';

const log = pino({ level: 'silent' });
const tick = () => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

/** A kafkajs eachBatch payload over `keys.length` records at offsets 100, 101, … */
function fakePayload(keys: (string | null)[], firstOffset = 100) {
  const resolved: string[] = [];
  const state = { running: true, stale: false, heartbeatError: null as Error | null, paused: false };
  const payload = {
    batch: {
      topic: 'in',
      partition: 0,
      messages: keys.map((k, i) => ({
        offset: String(firstOffset + i),
        key: k === null ? null : Buffer.from(k),
        value: Buffer.from(`v${i}`),
        headers: {},
        timestamp: '0',
      })),
    },
    resolveOffset: (o: string) => void resolved.push(o),
    heartbeat: () => (state.heartbeatError ? Promise.reject(state.heartbeatError) : Promise.resolve()),
    commitOffsetsIfNecessary: () => Promise.resolve(),
    isRunning: () => state.running,
    isStale: () => state.stale,
    pause: () => {
      state.paused = true;
      return () => (state.paused = false);
    },
  } as unknown as EachBatchPayload;
  return { payload, resolved, state, last: () => resolved.at(-1) };
}

/** A publisher whose calls wait for the test (or fail as told). */
function fakePublisher() {
  const published: OutboundRecord[] = [];
  let behaviour: (records: OutboundRecord[]) => Promise<void> = () => Promise.resolve();
  const publisher: Publisher = {
    publish: async (records) => {
      await behaviour(records);
      published.push(...records);
    },
  };
  return { publisher, published, set: (b: typeof behaviour) => (behaviour = b) };
}

const out = (r: InboundRecord): OutboundRecord => ({
  topic: 'out',
  key: r.offset,
  value: Buffer.from(r.offset),
});

function deps(processor: RecordProcessor, publisher: Publisher, over: Partial<BatchDeps<unknown>> = {}) {
  const waits = createWaits(log, { baseMs: 1, capMs: 4 });
  const d: BatchDeps<unknown> = {
    processor,
    publisher,
    slots: prioritySlots(100),
    waits,
    orderByKey: false,
    lastResort: parkedRecord({ parked: 'parked' }),
    parkedTopic: 'parked',
    log,
    drainMs: 50,
    tickMs: 5,
    ...over,
  };
  return d;
}

const simple = (handle: (r: InboundRecord) => Promise<Outcome>): RecordProcessor => ({
  handle,
  onFailure: (r, err) => [{ topic: 'dlq', key: r.offset, value: r.value, headers: { reason: err.code } }],
});

describe('runBatch', () => {
  it('resolves offsets only up to the unbroken run of acknowledged records', async () => {
    const p = fakePayload(['a', 'b', 'c', 'd']);
    const pub = fakePublisher();
    const gates = new Map<string, () => void>();
    pub.set((records) =>
      records[0]?.key === '101'
        ? new Promise<void>((resolve) => gates.set('101', resolve))
        : Promise.resolve(),
    );
    const done = runBatch(
      p.payload,
      0,
      deps(
        simple((r) => Promise.resolve({ records: [out(r)] })),
        pub.publisher,
      ),
    );
    await until(() => gates.has('101') && pub.published.length === 3, 'three acknowledged');
    expect(p.resolved).toEqual(['100']);
    gates.get('101')?.();
    await done;
    expect(p.last()).toBe('103');
    expect(pub.published.map((r) => r.key).sort()).toEqual(['100', '101', '102', '103']);
  });

  it('retries a record whose outputs failed to produce instead of skipping it', async () => {
    const p = fakePayload(['a', 'b']);
    const pub = fakePublisher();
    let failures = 3;
    pub.set((records) =>
      records[0]?.key === '100' && failures-- > 0
        ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
        : Promise.resolve(),
    );
    const handle = jest.fn((r: InboundRecord) => Promise.resolve({ records: [out(r)] }));
    await runBatch(p.payload, 0, deps(simple(handle), pub.publisher));
    expect(failures).toBe(-1);
    // Decided once, produced until acknowledged: the outputs are not decided again.
    expect(handle).toHaveBeenCalledTimes(2);
    expect(pub.published.map((r) => r.key)).toEqual(['101', '100']);
    expect(p.resolved).toEqual(['101']);
  });

  it('hands a record Kafka refuses to its failure path, then to notify.parked, never skipping it', async () => {
    const p = fakePayload(['a']);
    const pub = fakePublisher();
    const tooLarge = Object.assign(new Error('message too large'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
    });
    pub.set((records) => (records[0]?.topic === 'parked' ? Promise.resolve() : Promise.reject(tooLarge)));
    await runBatch(
      p.payload,
      0,
      deps(
        simple((r) => Promise.resolve({ records: [out(r)] })),
        pub.publisher,
      ),
    );
    expect(pub.published).toEqual([
      expect.objectContaining({
        topic: 'parked',
        headers: expect.objectContaining({ 'parked-reason': 'record_rejected', 'source-offset': '100' }),
      }),
    ]);
    expect(p.resolved).toEqual(['100']);
  });

  it('sends what cannot be handled to the failure path and moves on', async () => {
    const p = fakePayload(['a', 'b']);
    const pub = fakePublisher();
    const processor = simple((r) =>
      r.offset === '100'
        ? Promise.reject(new HeraldError('invalid_request', 'no'))
        : Promise.resolve({ records: [out(r)] }),
    );
    await runBatch(p.payload, 0, deps(processor, pub.publisher));
    expect(pub.published.map((r) => r.topic).sort()).toEqual(['dlq', 'out']);
    expect(p.last()).toBe('101');
  });

  it('parks a record whose failure path throws (the last resort)', async () => {
    const p = fakePayload(['a']);
    const pub = fakePublisher();
    const processor: RecordProcessor = {
      handle: () => Promise.reject(new HeraldError('malformed_payload', 'garbage')),
      onFailure: () => {
        throw new Error('bug in the failure path');
      },
    };
    await runBatch(p.payload, 0, deps(processor, pub.publisher));
    expect(pub.published.map((r) => r.topic)).toEqual(['parked']);
    expect(p.resolved).toEqual(['100']);
  });

  it('waits in place while a dependency is down, not ready meanwhile, and goes on when it is back', async () => {
    const p = fakePayload(['a']);
    const pub = fakePublisher();
    let down = true;
    const handle = jest.fn((r: InboundRecord) =>
      down
        ? Promise.reject(new HeraldError('dependency_unavailable', 'postgres down'))
        : Promise.resolve({ records: [out(r)] }),
    );
    const d = deps(simple(handle), pub.publisher);
    const done = runBatch(p.payload, 0, d);
    await until(() => handle.mock.calls.length >= 3, 'three tries');
    expect(await d.waits.readiness('deps').check()).toBe(false);
    expect(p.resolved).toEqual([]);
    down = false;
    await done;
    expect(await d.waits.readiness('deps').check()).toBe(true);
    expect(p.resolved).toEqual(['100']);
  });

  it('keeps records of one key in offset order when asked, others concurrent', async () => {
    const p = fakePayload(['u1', 'u2', 'u1', 'u1']);
    const pub = fakePublisher();
    const started: string[] = [];
    const finishers = new Map<string, () => void>();
    const handle = (r: InboundRecord) =>
      new Promise<Outcome>((resolve) => {
        started.push(r.offset);
        finishers.set(r.offset, () => resolve({ records: [] }));
      });
    const done = runBatch(p.payload, 0, deps(simple(handle), pub.publisher, { orderByKey: true }));
    await until(() => started.length === 2, 'two started');
    expect(started).toEqual(['100', '101']);
    finishers.get('100')?.();
    await until(() => started.length === 3, 'the next of u1');
    expect(started).toEqual(['100', '101', '102']);
    finishers.get('102')?.();
    await until(() => started.length === 4, 'the last of u1');
    finishers.get('103')?.();
    finishers.get('101')?.();
    await done;
    expect(p.last()).toBe('103');
  });

  it('never runs more records at once than its slots', async () => {
    const p = fakePayload(Array.from({ length: 50 }, (_, i) => `k${i}`));
    const pub = fakePublisher();
    let now = 0;
    let peak = 0;
    const handle = async (r: InboundRecord) => {
      peak = Math.max(peak, ++now);
      await new Promise((res) => setTimeout(res, 1));
      now--;
      return { records: [out(r)] };
    };
    await runBatch(p.payload, 0, deps(simple(handle), pub.publisher, { slots: prioritySlots(7, 0) }));
    expect(peak).toBe(7);
    expect(p.last()).toBe('149');
  });

  it('on a rebalance starts nothing new, drains what is in flight, and ends with the error so kafkajs rejoins', async () => {
    const p = fakePayload(['a', 'b', 'c']);
    const pub = fakePublisher();
    const finishers = new Map<string, () => void>();
    const started: string[] = [];
    const handle = (r: InboundRecord) =>
      new Promise<Outcome>((resolve) => {
        started.push(r.offset);
        finishers.set(r.offset, () => resolve({ records: [out(r)] }));
      });
    const d = deps(simple(handle), pub.publisher, { slots: prioritySlots(2, 0), drainMs: 30 });
    const done = runBatch(p.payload, 0, d);
    await until(() => started.length === 2, 'two in flight');
    p.state.heartbeatError = Object.assign(new Error('rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    await new Promise((r) => setTimeout(r, 10));
    finishers.get('100')?.();
    await expect(done).rejects.toThrow('rebalancing');
    // 101 missed the drain deadline; 102 never started.
    expect(started).toEqual(['100', '101']);
    expect(p.resolved).toEqual(['100']);
    // Work of the old generation finishing late resolves nothing.
    finishers.get('101')?.();
    await tick();
    await tick();
    expect(p.resolved).toEqual(['100']);
  });

  it('does not let a slow preparation hold a rebalance past the drain deadline', async () => {
    const p = fakePayload(['a']);
    const pub = fakePublisher();
    const processor: RecordProcessor = {
      prepare: () => new Promise(() => undefined),
      handle: (r) => Promise.resolve({ records: [out(r)] }),
      onFailure: () => [],
    };
    const done = runBatch(p.payload, 0, deps(processor, pub.publisher, { drainMs: 20 }));
    await tick();
    p.state.heartbeatError = Object.assign(new Error('rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
    await expect(done).rejects.toThrow('rebalancing');
    expect(p.resolved).toEqual([]);
  });

  it('counts a record as finished even when its outcome callback throws', async () => {
    const p = fakePayload(['a']);
    const pub = fakePublisher();
    const processor = simple((r) =>
      Promise.resolve({
        records: [out(r)],
        done: () => {
          throw new Error('metrics bug');
        },
      }),
    );
    await runBatch(p.payload, 0, deps(processor, pub.publisher));
    expect(p.resolved).toEqual(['100']);
  });

  it('on stop lets records in flight finish and resolves them', async () => {
    const p = fakePayload(['a', 'b']);
    const pub = fakePublisher();
    const finishers = new Map<string, () => void>();
    const handle = (r: InboundRecord) =>
      new Promise<Outcome>((resolve) => finishers.set(r.offset, () => resolve({ records: [out(r)] })));
    const d = deps(simple(handle), pub.publisher, { slots: prioritySlots(1, 0), drainMs: 1000 });
    const done = runBatch(p.payload, 0, d);
    await until(() => finishers.size === 1, 'one in flight');
    p.state.running = false;
    await new Promise((r) => setTimeout(r, 10));
    finishers.get('100')?.();
    await done;
    expect(p.resolved).toEqual(['100']);
    expect(finishers.size).toBe(1);
  });

  it('handles held records no earlier than their hold, pauses the partition for the others, and never handles one twice', async () => {
    const pub = fakePublisher();
    const start = Date.now();
    // Offsets 100…103: due now, in 60 ms (within the 100 ms horizon), in 400 ms, in 20 ms.
    const holds = new Map([
      ['100', start - 1],
      ['101', start + 60],
      ['102', start + 400],
      ['103', start + 20],
    ]);
    const handled: string[] = [];
    const handledAt = new Map<string, number>();
    const processor: RecordProcessor = {
      holdUntil: (r) => holds.get(r.offset) ?? null,
      handle: (r) => {
        handled.push(r.offset);
        handledAt.set(r.offset, Date.now());
        return Promise.resolve({ records: [out(r)] });
      },
      onFailure: () => [],
    };
    const holdsState = createHolds(100);
    const first = fakePayload(['a', 'b', 'c', 'd']);
    await runBatch(first.payload, 0, deps(processor, pub.publisher, { holds: holdsState }));
    // 102 is not due within the horizon; 103 behind it is, and goes first (it falls due first).
    expect(handled).toEqual(['100', '103', '101']);
    expect(handledAt.get('101')).toBeGreaterThanOrEqual(start + 60);
    expect(handledAt.get('103')).toBeGreaterThanOrEqual(start + 20);
    // 102 is not done: nothing past it is resolved, and the partition waits for it.
    expect(first.last()).toBe('101');
    expect(first.state.paused).toBe(true);
    // Resumed once 102 is within the horizon (400 - 100 ms), and fetched again from 102.
    await until(() => !first.state.paused, 'the partition resumed');
    expect(Date.now() - start).toBeGreaterThanOrEqual(295);
    const again = fakePayload(['c', 'd'], 102);
    await runBatch(again.payload, 0, deps(processor, pub.publisher, { holds: holdsState }));
    // 102 once due; 103 was done already: resolved, not handled again.
    expect(handled).toEqual(['100', '103', '101', '102']);
    expect(handledAt.get('102')).toBeGreaterThanOrEqual(start + 400);
    expect(again.last()).toBe('103');
    expect(holdsState.isDone('in:0', '103')).toBe(false);
  });

  it('drops a held record waiting in its batch when the batch is stopped, leaving it unresolved', async () => {
    const p = fakePayload(['a']);
    const pub = fakePublisher();
    const processor: RecordProcessor = {
      holdUntil: () => Date.now() + 80,
      handle: (r) => Promise.resolve({ records: [out(r)] }),
      onFailure: () => [],
    };
    const done = runBatch(p.payload, 0, deps(processor, pub.publisher, { holds: createHolds(100) }));
    p.state.running = false;
    await done;
    expect(pub.published).toEqual([]);
    expect(p.resolved).toEqual([]);
  });
});
