import { Partitioners } from 'kafkajs';
import { groupLag } from '@herald/shared';
import { isolatedTopics, testKafka } from '@herald/test-support';

describe('consumer lag', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  let cleanup: () => Promise<void>;
  let topic: string;
  let groupId: string;

  beforeAll(async () => {
    const isolated = await isolatedTopics(kafka, 'lag');
    cleanup = isolated.cleanup;
    topic = isolated.topics.dlq;
    groupId = `${isolated.prefix}lag-group`;
    await admin.connect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      messages: [1, 2, 3, 4, 5].map((n) => ({ key: 'same-key', value: String(n) })),
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    await admin.disconnect();
    await cleanup();
  });

  it('counts everything as lag for a group that has committed nothing, then what is left after a commit', async () => {
    expect(await groupLag(admin, { groupId, topics: [topic] })).toEqual(new Map([[topic, 5]]));
    const ends = await admin.fetchTopicOffsets(topic);
    const written = ends.find((e) => Number(e.high) > 0);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [{ partition: written?.partition ?? 0, offset: '2' }],
    });
    expect(await groupLag(admin, { groupId, topics: [topic] })).toEqual(new Map([[topic, 3]]));
  });
});
