import type { Producer } from 'kafkajs';
import type { Codec } from '../../src/kafka/codec';
import { createPublisher, splitBySize, takeRequest } from '../../src/kafka/publisher';
import type { OutboundRecord } from '../../src/kafka/publisher';

interface Call {
  /** Which producer the factory made carried the request (0 = the first one made). */
  producer: number;
  topics: Record<string, (string | null)[]>;
  ack(): void;
  fail(err: Error): void;
}

/** Producers whose requests stay in flight until the test acknowledges or fails them. */
function fakeProducers() {
  const calls: Call[] = [];
  const made: { connect: jest.Mock; disconnect: jest.Mock }[] = [];
  const factory = () => {
    const index = made.length;
    const producer = {
      connect: jest.fn(() => Promise.resolve()),
      disconnect: jest.fn(() => Promise.resolve()),
      sendBatch: jest.fn(
        ({ topicMessages }: { topicMessages: { topic: string; messages: { key: string | null }[] }[] }) =>
          new Promise((resolve, reject) => {
            calls.push({
              producer: index,
              topics: Object.fromEntries(topicMessages.map((t) => [t.topic, t.messages.map((m) => m.key)])),
              ack: () => resolve([]),
              fail: reject,
            });
          }),
      ),
    };
    made.push(producer);
    return producer as unknown as Producer;
  };
  return { producer: factory, calls, made };
}

const codec = {
  encode: (_topic: string, value: object) => Promise.resolve(Buffer.from(JSON.stringify(value))),
} as unknown as Codec;

const rec = (topic: string, key: string, size = 10): OutboundRecord => ({
  topic,
  key,
  value: Buffer.alloc(size),
});
const tick = () => new Promise((r) => setImmediate(r));
const waitCalls = async (calls: Call[], n: number) => {
  for (let i = 0; i < 100 && calls.length < n; i++) await tick();
  expect(calls).toHaveLength(n);
};

describe('the coalescing publisher', () => {
  it('sends what arrives while a request is in flight as one next request, settling each caller on its ack', async () => {
    const { producer, calls } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const settled: string[] = [];
    const first = publisher.publish([rec('t', 'a')]).then(() => settled.push('a'));
    await waitCalls(calls, 1);
    const later = ['b', 'c', 'd'].map((k) => publisher.publish([rec('t', k)]).then(() => settled.push(k)));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]?.ack();
    await first;
    await waitCalls(calls, 2);
    expect(calls[1]?.topics).toEqual({ t: ['b', 'c', 'd'] });
    expect(settled).toEqual(['a']);
    calls[1]?.ack();
    await Promise.all(later);
    expect(settled).toEqual(['a', 'b', 'c', 'd']);
  });

  it('shares one request among callers of the same turn, with their records grouped by topic', async () => {
    const { producer, calls } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const all = Promise.all([
      publisher.publish([rec('x', '1'), rec('y', '2')]),
      publisher.publish([rec('x', '3')]),
      publisher.publish([{ topic: 'y', key: '4', value: { encoded: true } }]),
    ]);
    await waitCalls(calls, 1);
    expect(calls[0]?.topics).toEqual({ x: ['1', '3'], y: ['2', '4'] });
    calls[0]?.ack();
    await all;
  });

  it('rejects every caller of a request that fails for an outage', async () => {
    const { producer, calls } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const a = publisher.publish([rec('t', 'a')]);
    const b = publisher.publish([rec('t', 'b')]);
    await waitCalls(calls, 1);
    calls[0]?.fail(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(a).rejects.toThrow('ECONNREFUSED');
    await expect(b).rejects.toThrow('ECONNREFUSED');
    expect(calls).toHaveLength(1);
  });

  it('retries a request refused for its content one caller at a time, so only the bad caller fails', async () => {
    const { producer, calls } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const good = publisher.publish([rec('t', 'good')]);
    const bad = publisher.publish([rec('t', 'bad')]);
    await waitCalls(calls, 1);
    const tooLarge = Object.assign(new Error('The request included a message larger than the max'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
    });
    calls[0]?.fail(tooLarge);
    await waitCalls(calls, 2);
    expect(calls[1]?.topics).toEqual({ t: ['good'] });
    calls[1]?.ack();
    await good;
    await waitCalls(calls, 3);
    expect(calls[2]?.topics).toEqual({ t: ['bad'] });
    calls[2]?.fail(tooLarge);
    await expect(bad).rejects.toThrow('larger than the max');
  });

  it('waits lingerMs when idle to gather more', async () => {
    jest.useFakeTimers();
    try {
      const { producer, calls } = fakeProducers();
      const publisher = createPublisher(producer, codec, { lingerMs: 5 });
      const a = publisher.publish([rec('t', 'a')]);
      await Promise.resolve();
      await Promise.resolve();
      const b = publisher.publish([rec('t', 'b')]);
      await jest.advanceTimersByTimeAsync(4);
      expect(calls).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls.map((c) => c.topics)).toEqual([{ t: ['a', 'b'] }]);
      calls[0]?.ack();
      await Promise.all([a, b]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('resolves an empty publish without a request', async () => {
    const { producer, calls } = fakeProducers();
    await createPublisher(producer, codec).publish([]);
    expect(calls).toHaveLength(0);
  });
});

describe('the publisher and its producers', () => {
  const sequenceError = () =>
    Object.assign(new Error('The broker received an out of order sequence number'), {
      name: 'KafkaJSProtocolError',
      type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      retriable: false,
    });

  it('replaces a producer after a failed request, so a rolled-back sequence is never reused', async () => {
    const { producer, calls, made } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const failed = publisher.publish([rec('t', 'a')]);
    await waitCalls(calls, 1);
    calls[0]?.fail(sequenceError());
    await expect(failed).rejects.toThrow('out of order');
    const next = publisher.publish([rec('t', 'b')]);
    await waitCalls(calls, 2);
    expect(calls[0]?.producer).not.toBe(calls[1]?.producer);
    expect(made[calls[0]?.producer ?? -1]?.disconnect).toHaveBeenCalled();
    expect(made[calls[1]?.producer ?? -1]?.connect).toHaveBeenCalled();
    calls[1]?.ack();
    await next;
  });

  it("never queues a critical record behind a lower lane's request in flight", async () => {
    const { producer, calls } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const low = publisher.publish([rec('notify.channel.email.low', 'l1')]);
    await waitCalls(calls, 1);
    // The low request hangs (a slow broker); a critical publish still goes out and is acknowledged.
    const critical = publisher.publish([
      rec('notify.channel.email.critical', 'c1'),
      rec('notify.status', 'c1'),
    ]);
    await waitCalls(calls, 2);
    expect(calls[1]?.topics).toEqual({ 'notify.channel.email.critical': ['c1'], 'notify.status': ['c1'] });
    expect(calls[1]?.producer).not.toBe(calls[0]?.producer);
    calls[1]?.ack();
    await critical;
    calls[0]?.ack();
    await low;
  });

  it('with a pool, sends to an idle producer while another has a request in flight', async () => {
    const { producer, calls, made } = fakeProducers();
    const publisher = createPublisher(producer, codec, { producers: 2 });
    expect(made).toHaveLength(3);
    const first = publisher.publish([rec('notify.channel.email.low', 'a')]);
    await waitCalls(calls, 1);
    // The first producer's request hangs; the next caller goes out at once on the other one.
    const second = publisher.publish([rec('notify.channel.email.low', 'b')]);
    await waitCalls(calls, 2);
    expect(calls[1]?.producer).not.toBe(calls[0]?.producer);
    // Both busy: the third queues behind one of them (the first of equals), not on the critical one.
    const third = publisher.publish([rec('notify.channel.email.normal', 'c')]);
    await tick();
    expect(calls).toHaveLength(2);
    calls[0]?.ack();
    await first;
    await waitCalls(calls, 3);
    expect(calls[2]?.topics).toEqual({ 'notify.channel.email.normal': ['c'] });
    expect(calls[2]?.producer).toBe(calls[0]?.producer);
    calls[2]?.ack();
    calls[1]?.ack();
    await Promise.all([second, third]);
  });

  it('sends a record of the critical lane through the critical producer when its topic does not say', async () => {
    const { producer, calls } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const low = publisher.publish([rec('notify.channel.email.low', 'l1')]);
    await waitCalls(calls, 1);
    const sentEvent = publisher.publish([rec('notify.status', 'n1')], { lane: 0 });
    await waitCalls(calls, 2);
    expect(calls[1]?.producer).not.toBe(calls[0]?.producer);
    calls[1]?.ack();
    await sentEvent;
    calls[0]?.ack();
    await low;
  });

  it('lets the request in flight finish at disconnect, then refuses and makes no new producer', async () => {
    const { producer, calls, made } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    const inFlight = publisher.publish([rec('t', 'a')]);
    await waitCalls(calls, 1);
    const closing = publisher.disconnect();
    calls[0]?.ack();
    await inFlight;
    await closing;
    await expect(publisher.publish([rec('t', 'b')])).rejects.toThrow('closed');
    expect(made).toHaveLength(2);
  });

  it('connects and disconnects every producer it owns', async () => {
    const { producer, made } = fakeProducers();
    const publisher = createPublisher(producer, codec);
    await publisher.connect();
    await publisher.disconnect();
    expect(made.length).toBe(2);
    for (const p of made) {
      expect(p.connect).toHaveBeenCalledTimes(1);
      expect(p.disconnect).toHaveBeenCalledTimes(1);
    }
  });
});

describe('splitBySize', () => {
  it("cuts one caller's records into parts under the size, in order, none empty", () => {
    const parts = splitBySize([400, 400, 400, 1500, 10], (n) => n, 1000);
    expect(parts.map((p) => p.records)).toEqual([[400, 400], [400], [1500], [10]]);
    expect(parts.map((p) => p.bytes)).toEqual([800, 400, 1500, 10]);
  });

  it('keeps a caller whose records fit in one part whole', () => {
    expect(splitBySize([1, 2, 3], (n) => n, 1000)).toEqual([{ records: [1, 2, 3], bytes: 6 }]);
  });
});

describe('a publish larger than a request', () => {
  it('goes out in several requests and settles once all are acknowledged', async () => {
    const { producer, calls } = fakeProducers();
    const publisher = createPublisher(producer, codec, { maxRequestBytes: 1000 });
    let settled = false;
    const big = publisher
      .publish(Array.from({ length: 6 }, (_, i) => rec('t', `k${i}`, 300)))
      .then(() => (settled = true));
    await waitCalls(calls, 1);
    calls[0]?.ack();
    await waitCalls(calls, 2);
    calls[1]?.ack();
    await waitCalls(calls, 3);
    expect(settled).toBe(false);
    calls[2]?.ack();
    await big;
    expect(calls.flatMap((c) => c.topics.t)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });
});

describe('takeRequest', () => {
  const p = (name: string, bytes: number, lane: number) => ({ name, bytes, lane });

  it('takes callers up to the size, higher lanes first, then in arrival order', () => {
    const queue = [p('low1', 400, 3), p('normal', 400, 2), p('crit', 400, 0), p('low2', 400, 3)];
    expect(takeRequest(queue, 1000).map((x) => x.name)).toEqual(['crit', 'normal']);
    expect(queue.map((x) => x.name)).toEqual(['low1', 'low2']);
    expect(takeRequest(queue, 1000).map((x) => x.name)).toEqual(['low1', 'low2']);
    expect(queue).toEqual([]);
  });

  it('always takes one caller, even one over the size', () => {
    const queue = [p('huge', 5000, 2), p('small', 10, 2)];
    expect(takeRequest(queue, 1000).map((x) => x.name)).toEqual(['huge']);
    expect(queue.map((x) => x.name)).toEqual(['small']);
  });

  it('never splits more than it must: every caller is taken exactly once', () => {
    for (let round = 0; round < 50; round++) {
      const queue = Array.from({ length: 30 }, (_, i) =>
        p(`c${i}`, 1 + Math.floor(Math.random() * 500), i % 4),
      );
      const seen: string[] = [];
      while (queue.length > 0) {
        const taken = takeRequest(queue, 1000);
        expect(taken.length).toBeGreaterThan(0);
        if (taken.length > 1) expect(taken.reduce((n, x) => n + x.bytes, 0)).toBeLessThanOrEqual(1000);
        seen.push(...taken.map((x) => x.name));
      }
      expect(seen.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
    }
  });
});
