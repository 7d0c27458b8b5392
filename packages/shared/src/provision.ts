import type { Logger } from './logger';
import { createCodec } from './kafka/codec';
import { createKafka } from './kafka/client';
import { ensureTopics } from './kafka/provision';
import { topicSpecs } from './kafka/topics';
import { schemaForTopic } from './kafka/codec';
import { ensureDatabase, runMigrations } from './migrate';

export interface ProvisionOptions {
  brokers: string[];
  registryUrl: string;
  databaseUrl: string;
  topicPrefix: string;
  replicationFactor: number;
  log: Logger;
}

function hasSchema(topic: string): boolean {
  try {
    schemaForTopic(topic);
    return true;
  } catch {
    return false;
  }
}

/**
 * The provisioning step every environment runs (dev stack, tests, compose, k8s Job): database and
 * migrations, topics with DESIGN.md's partition counts, and the value schemas. Idempotent.
 */
export async function provision(opts: ProvisionOptions): Promise<void> {
  await ensureDatabase(opts.databaseUrl);
  await runMigrations(opts.databaseUrl);
  opts.log.info('migrations applied');

  const kafka = createKafka({ brokers: opts.brokers, clientId: 'herald-provision', log: opts.log });
  const specs = topicSpecs(opts.topicPrefix);
  const created = await ensureTopics(kafka, specs, opts.replicationFactor);
  opts.log.info({ created: created.length, total: specs.length }, 'topics ensured');

  const codec = createCodec(opts.registryUrl);
  const withSchema = specs.map((s) => s.topic).filter(hasSchema);
  for (const topic of withSchema) await codec.register(topic);
  opts.log.info({ subjects: withSchema.length }, 'schemas registered');
}
