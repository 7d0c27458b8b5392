import type { Codec, Kafka } from '@herald/shared';
import { waitFor } from './infra';

export interface Collected {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads topics from the beginning into memory, for assertions on what a component produced. */
export async function collect(kafka: Kafka, topics: string[]) {
  const records: Collected[] = [];
  const consumer = kafka.consumer({
    groupId: `collector-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ topic, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) {
        if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
      }
      records.push({ topic, key: message.key?.toString() ?? null, value: message.value, headers });
      return Promise.resolve();
    },
  });
  return {
    records,
    async decoded<T>(codec: Codec, topic: string): Promise<T[]> {
      const out: T[] = [];
      for (const r of records.filter((x) => x.topic === topic)) out.push((await codec.decode(r.value)) as T);
      return out;
    },
    waitForCount: (topic: string, n: number, timeoutMs?: number) =>
      waitFor(
        `${n} record(s) on ${topic}`,
        () => records.filter((r) => r.topic === topic).length >= n,
        timeoutMs,
      ),
    stop: () => consumer.disconnect(),
  };
}
