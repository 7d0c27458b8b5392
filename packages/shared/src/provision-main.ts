import { exitOnStartFailure } from './lifecycle';
import { createLogger } from './logger';
import { parseConfig, provisionConfigSchema } from './config';
import { provision } from './provision';

/** `node packages/shared/dist/provision-main.js`: the provisioning step as a command. */
async function main(): Promise<void> {
  const config = parseConfig(provisionConfigSchema);
  const log = createLogger('provision', config.LOG_LEVEL);
  await provision({
    brokers: config.KAFKA_BROKERS,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    databaseUrl: config.DATABASE_URL,
    topicPrefix: config.TOPIC_PREFIX,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    delayTiers: config.DELAY_TIERS.map((t) => t.name),
    log,
  });
}

main().catch((err: unknown) => exitOnStartFailure(err));
