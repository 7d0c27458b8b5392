import { EventEmitter } from 'node:events';
import type { Codec, Kafka } from '@herald/shared';
import { kafkaAccess } from '../../src/adapters/kafka';
import { isUnknownTopic } from '../../src/adapters/kafka-errors';

/** kafkajs's error after its retries, wrapping the broker's answer (as a real broker gives it). */
function unknownTopic(): Error {
  const broker = Object.assign(new Error('This server does not host this topic-partition'), {
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
  });
  return Object.assign(new Error(broker.message, { cause: broker }), {
    name: 'KafkaJSNumberOfRetriesExceeded',
  });
}

const never = () => new Promise<never>(() => undefined);

/** A fake admin: each method does what the test says, and one it did not set fails the test. */
function fakeKafka(admin: Record<string, (...args: never[]) => Promise<unknown>>) {
  const calls: string[] = [];
  const consumer = Object.assign(new EventEmitter(), {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: () => Promise.resolve(),
    disconnect: () => (calls.push('consumer.disconnect'), Promise.resolve()),
  });
  const adminProxy = new Proxy(
    {},
    {
      // Not a thenable: `await` asks for `then`.
      get: (_, name: string) =>
        name === 'then'
          ? undefined
          : (...args: never[]) => {
              calls.push(`admin.${name}`);
              const fn =
                admin[name] ??
                (name === 'disconnect' || name === 'deleteGroups' ? () => Promise.resolve() : undefined);
              if (!fn) throw new Error(`admin.${name} was not expected`);
              return fn(...args);
            },
    },
  );
  // A structural fake of the few kafkajs methods the CLI calls; kafkajs's types are far wider.
  const kafka = { admin: () => adminProxy, consumer: () => consumer } as unknown as Kafka;
  return { kafka, calls, consumer };
}

const codec = {} as Codec;
const brokers = ['kafka.test:9092'];

describe('isUnknownTopic', () => {
  it('finds UNKNOWN_TOPIC_OR_PARTITION through the errors kafkajs wraps, and nothing else', () => {
    expect(isUnknownTopic(unknownTopic())).toBe(true);
    expect(isUnknownTopic(Object.assign(new Error('x'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' }))).toBe(true);
    expect(isUnknownTopic(Object.assign(new Error('x'), { type: 'NOT_LEADER_FOR_PARTITION' }))).toBe(false);
    expect(isUnknownTopic(new Error('Connection timeout'))).toBe(false);
    expect(isUnknownTopic(undefined)).toBe(false);
  });
});

describe('kafkaAccess', () => {
  const group = (groupId: string) => ({ groupId, state: 'Stable', members: [] });
  const ends = [{ partition: 0, low: '0', high: '10' }];

  it("skips a topic deleted since a group read it, and shows the others' lag", async () => {
    const { kafka } = fakeKafka({
      connect: () => Promise.resolve(),
      listGroups: () => Promise.resolve({ groups: [{ groupId: 'herald-router.high' }] }),
      describeGroups: () => Promise.resolve({ groups: [group('herald-router.high')] }),
      fetchOffsets: () =>
        Promise.resolve([
          { topic: 'notify.priority.high', partitions: [{ partition: 0, offset: '4' }] },
          { topic: 'notify.gone', partitions: [{ partition: 0, offset: '1' }] },
        ]),
      fetchTopicOffsets: (topic: never) =>
        topic === 'notify.gone' ? Promise.reject(unknownTopic()) : Promise.resolve(ends),
    });
    const { rows, groups } = await kafkaAccess({ kafka, codec, brokers }).lag('');
    expect(groups).toEqual([{ group: 'herald-router.high', state: 'Stable', members: 0 }]);
    expect(rows).toEqual([
      { group: 'herald-router.high', topic: 'notify.priority.high', lag: 6, partitions: 1, uncommitted: 0 },
    ]);
  });

  it('fails on any other error of the end offsets, naming the topic', async () => {
    const { kafka } = fakeKafka({
      connect: () => Promise.resolve(),
      listGroups: () => Promise.resolve({ groups: [{ groupId: 'herald-router.high' }] }),
      describeGroups: () => Promise.resolve({ groups: [group('herald-router.high')] }),
      fetchOffsets: () => Promise.resolve([{ topic: 'notify.priority.high', partitions: [] }]),
      fetchTopicOffsets: () =>
        Promise.reject(
          Object.assign(new Error('Not authorized to access topics'), { type: 'TOPIC_AUTHORIZATION_FAILED' }),
        ),
    });
    await expect(kafkaAccess({ kafka, codec, brokers }).lag('')).rejects.toThrow(
      'reading the end offsets of notify.priority.high failed: Not authorized to access topics',
    );
  });

  it('gives every call a deadline: a describe that never answers fails in time', async () => {
    const { kafka } = fakeKafka({
      connect: () => Promise.resolve(),
      listGroups: () => Promise.resolve({ groups: [{ groupId: 'herald-router.high' }] }),
      describeGroups: never,
    });
    await expect(kafkaAccess({ kafka, codec, brokers, deadlineMs: 50 }).lag('')).rejects.toThrow(
      'describing consumer groups: no answer from Kafka at kafka.test:9092 within 0.05s',
    );
  });

  it('disconnects an admin client whose connect timed out', async () => {
    const { kafka, calls } = fakeKafka({ connect: never });
    const access = kafkaAccess({ kafka, codec, brokers, deadlineMs: 50 });
    await expect(access.topics('')).rejects.toThrow(/^listing topics: no answer from Kafka/);
    expect(calls).toEqual(['admin.connect', 'admin.disconnect']);
  });

  it('ends a tail with the error when the consumer crashes for good, and not when kafkajs restarts it', async () => {
    const { kafka, calls, consumer } = fakeKafka({
      connect: () => Promise.resolve(),
      listTopics: () => Promise.resolve(['notify.status']),
    });
    const tail = kafkaAccess({ kafka, codec, brokers }).tail(['notify.status'], {
      fromBeginning: false,
      onRecord: () => Promise.resolve(true),
    });
    // Until the tail listens for crashes (after it has checked the topics).
    for (const until = Date.now() + 2000; consumer.listenerCount('consumer.crash') === 0;) {
      if (Date.now() > until) throw new Error('the tail never listened for crashes');
      await new Promise((r) => setImmediate(r));
    }
    consumer.emit('consumer.crash', { payload: { error: new Error('rebalance failed'), restart: true } });
    consumer.emit('consumer.crash', {
      payload: { error: new Error('group authorization failed'), restart: false },
    });
    await expect(tail.done).rejects.toThrow(
      'tailing stopped: the consumer failed: group authorization failed',
    );
    expect(calls).toContain('consumer.disconnect');
    expect(calls).toContain('admin.deleteGroups');
  });
});
