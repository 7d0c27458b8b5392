import { createCodec, createProducer, createPublisher } from '@herald/shared';
import type { Producer } from '@herald/shared';
import { isolatedTopics, testEnv, testKafka } from '@herald/test-support';

describe('the coalescing publisher on real Kafka', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  let producer: Producer;
  let cleanup: () => Promise<void>;
  let topic: string;

  beforeAll(async () => {
    const isolated = await isolatedTopics(kafka, 'publisher');
    cleanup = isolated.cleanup;
    topic = isolated.topics.dlq;
    producer = createProducer(kafka);
    await Promise.all([producer.connect(), admin.connect()]);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin.disconnect();
    await cleanup?.();
  });

  it('acknowledges 500 concurrent publishes in far fewer produce requests, every record written', async () => {
    const send = jest.spyOn(producer, 'sendBatch');
    // The factory hands out the connected producer first: the one whose requests are counted.
    const publisher = createPublisher(() => producer, createCodec(testEnv.registryUrl));
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        publisher.publish([{ topic, key: `user-${i % 17}`, value: Buffer.from(`record ${i}`) }]),
      ),
    );
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(500);
    expect(send.mock.calls.length).toBeGreaterThan(0);
    expect(send.mock.calls.length).toBeLessThan(50);
    for (const [request] of send.mock.calls) expect(request.acks).toBe(-1);
  });
});
