import { randomBytes } from 'node:crypto';
import pino from 'pino';
import {
  createCodec,
  createKafka,
  deleteTopics,
  ensureTopics,
  registerSchemas,
  topicNames,
  topicSpecs,
} from '@herald/shared';
import type { Kafka, Logger, TopicNames } from '@herald/shared';
import { testEnv } from './env';

export const silentLog: Logger = pino({ level: 'silent' });

/** A prefix no other test run uses: every test owns its topics and consumer groups. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.`;
}

export function testKafka(): Kafka {
  return createKafka({ brokers: testEnv.brokers, clientId: 'herald-test', log: silentLog });
}

/** Creates the prefixed topic set; returns its names and a cleanup that deletes them. */
export async function isolatedTopics(
  kafka: Kafka,
  label: string,
): Promise<{ prefix: string; topics: TopicNames; cleanup(): Promise<void> }> {
  const prefix = uniquePrefix(label);
  const specs = topicSpecs(prefix).map((s) => ({ ...s, numPartitions: Math.min(s.numPartitions, 3) }));
  await ensureTopics(kafka, specs);
  await registerSchemas(createCodec(testEnv.registryUrl), specs);
  return {
    prefix,
    topics: topicNames(prefix),
    cleanup: async () => {
      await deleteTopics(
        kafka,
        specs.map((s) => s.topic),
      );
      await deleteSubjects(prefix);
    },
  };
}

/** Removes the registry subjects of a test prefix (soft, then permanent delete). */
export async function deleteSubjects(prefix: string): Promise<void> {
  const base = testEnv.registryUrl.replace(/\/$/, '');
  const res = await fetch(`${base}/subjects`);
  if (!res.ok) return;
  const subjects = ((await res.json()) as string[]).filter((s) => s.startsWith(prefix));
  for (const s of subjects) {
    const url = `${base}/subjects/${encodeURIComponent(s)}`;
    await fetch(url, { method: 'DELETE' });
    await fetch(`${url}?permanent=true`, { method: 'DELETE' });
  }
}

/** Polls until the check returns a value (not undefined/false), or fails with the last state. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
