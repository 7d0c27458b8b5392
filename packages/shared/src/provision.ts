import type { Logger } from './logger';
import { createCodec } from './kafka/codec';
import type { Codec } from './kafka/codec';
import type { TopicSpec } from './kafka/topics';
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
  /** Tier names (`DELAY_TIERS`): one delay topic each. */
  delayTiers?: readonly string[];
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

/** Registers the value schema of every topic that has one; returns how many. */
export async function registerSchemas(codec: Codec, specs: TopicSpec[]): Promise<number> {
  const withSchema = specs.map((s) => s.topic).filter(hasSchema);
  for (const topic of withSchema) await codec.register(topic);
  return withSchema.length;
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
  const specs = topicSpecs(opts.topicPrefix, opts.delayTiers);
  const created = await ensureTopics(kafka, specs, opts.replicationFactor);
  opts.log.info({ created: created.length, total: specs.length }, 'topics ensured');

  const subjects = await registerSchemas(createCodec(opts.registryUrl), specs);
  opts.log.info({ subjects }, 'schemas registered');
}
