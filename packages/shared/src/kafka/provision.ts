import type { Kafka } from 'kafkajs';
import type { TopicSpec } from './topics';

/** Creates the topics that are missing; existing topics are left as they are. Idempotent. */
export async function ensureTopics(
  kafka: Kafka,
  specs: TopicSpec[],
  replicationFactor = 1,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.numPartitions,
          replicationFactor,
          // acks=all means "every in-sync replica": with replicas, at least two must have it.
          configEntries: Object.entries({
            ...(replicationFactor > 1
              ? { 'min.insync.replicas': String(Math.min(2, replicationFactor)) }
              : {}),
            ...s.configs,
          }).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  } finally {
    await admin.disconnect();
  }
}
