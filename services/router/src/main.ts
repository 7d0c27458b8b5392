import {
  CHANNELS,
  buildOpsServer,
  createRedis,
  createRuntime,
  exitOnStartFailure,
  installShutdown,
  laneGroups,
  listenForChanges,
  metricsFor,
  startConsumers,
  zeroSeries,
} from '@herald/shared';
import { loadConfig, routingDefaults } from './config';
import { createRouterProcessor } from './consumer';
import { SUPPRESS_REASONS } from './domain/decide';
import { pgCatalog } from './adapters/catalog';
import { redisGate } from './adapters/gate';
import { pgSuppressionList } from './adapters/suppressions';
import { pgTemplateStore } from './adapters/templates';
import { cachedUserDirectory, pgUserDirectory } from './adapters/users';

/**
 * Composition root of the router: priority topics in, channel topics and status events out. It
 * reads users, preferences and the catalogue from Postgres, claims dedup keys and takes frequency
 * caps in Redis (the gate), and drops cached data when ingest announces a change.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('router', config, { postgres: true, redis: true });

  const users = cachedUserDirectory(pgUserDirectory(rt.pool), {
    ttlMs: config.USER_CACHE_SECONDS * 1000,
    max: config.USER_CACHE_SIZE,
  });
  const catalog = pgCatalog(rt.pool, { ttlMs: config.CATALOG_CACHE_SECONDS * 1000, log: rt.log });
  const templates = pgTemplateStore(rt.pool, config.TEMPLATE_CACHE_SECONDS * 1000);
  const stopListening = await listenForChanges(
    createRedis(config.REDIS_URL),
    config.TOPIC_PREFIX,
    (change) => {
      if (change.kind === 'user') users.forget(change.userId);
      else {
        catalog.forget();
        templates.forget();
      }
    },
    rt.log,
  );

  const metrics = {
    decisions: metricsFor.routerDecisions(rt.registry),
    scheduled: metricsFor.delayScheduled(rt.registry),
  };
  // What the dashboards read from the start (zeroSeries): a reason's first suppression shows too.
  zeroSeries(metrics.decisions, {
    outcome: ['deliver', 'deferred', ...SUPPRESS_REASONS],
    channel: CHANNELS,
  });
  zeroSeries(metrics.scheduled, { tier: config.DELAY_TIERS.map((t) => t.name), kind: ['deferred'] });

  const processor = createRouterProcessor({
    codec: rt.codec,
    topics: rt.topics,
    users,
    suppressions: pgSuppressionList(rt.pool),
    catalog,
    gate: redisGate(rt.redis, config.TOPIC_PREFIX),
    templates,
    tiers: config.DELAY_TIERS,
    policy: {
      defaults: routingDefaults(config),
      caps: config.FREQUENCY_CAPS,
      capPolicies: config.CAP_POLICY,
      dedupWindowMs: config.DEDUP_WINDOW_SECONDS * 1000,
    },
    clock: Date.now,
    log: rt.log,
    metrics,
  });

  // One consumer group per lane: a backlog on `low` never delays `critical` (DESIGN.md §2.3).
  const consumers = await startConsumers({
    kafka: rt.kafka,
    groups: laneGroups(config.CONSUMER_LANES, (p) => ({
      groupId: rt.topics.group(`herald-router.${p.toLowerCase()}`),
      topics: [rt.topics.priority(p)],
    })),
    processor,
    publisher: rt.publisher,
    topics: rt.topics,
    concurrency: config.ROUTER_CONCURRENCY,
    // A user's requests are decided in order: dedup windows and frequency caps count them in order.
    orderByKey: true,
    log: rt.log,
    options: rt.consumerOptions,
    onFatal: (err) => rt.fatal(err),
    lag: rt.lag,
  });
  rt.readiness.checks.push(...consumers.readiness());

  const http = buildOpsServer(rt);
  await http.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  installShutdown(rt, {
    consumers: [consumers],
    http,
    extra: [{ name: 'change-listener', run: stopListening }],
  });
  rt.log.info({ port: config.HTTP_PORT }, 'router started');
}

main().catch((err: unknown) => exitOnStartFailure(err));
