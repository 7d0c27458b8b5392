import { deleteTopics, ensureTopics, topicSpecs } from '@herald/shared';
import { testKafka, uniquePrefix } from '@herald/test-support';

describe('topic provisioning', () => {
  const kafka = testKafka();
  const specs = topicSpecs(uniquePrefix('provision'));
  afterAll(() =>
    deleteTopics(
      kafka,
      specs.map((s) => s.topic),
    ),
  );

  it('creates every topic with its partition count, and does nothing the second time', async () => {
    expect(await ensureTopics(kafka, specs)).toHaveLength(specs.length);
    expect(await ensureTopics(kafka, specs)).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      const partitions = new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
      for (const s of specs) expect([s.topic, partitions.get(s.topic)]).toEqual([s.topic, s.numPartitions]);
      const parked = specs.find((s) => s.topic.endsWith('notify.parked'));
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: parked?.topic ?? '' }],
      });
      const retention = configs.resources[0]?.configEntries.find((c) => c.configName === 'retention.ms');
      expect(retention?.configValue).toBe(String(30 * 24 * 3600 * 1000));
    } finally {
      await admin.disconnect();
    }
  });
});
