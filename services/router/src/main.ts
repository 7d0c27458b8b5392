import {
  buildOpsServer,
  createRuntime,
  exitOnStartFailure,
  installShutdown,
  laneGroups,
  metricsFor,
  startConsumers,
} from '@herald/shared';
import { loadConfig } from './config';
import { createRouterProcessor } from './consumer';
import { pgTemplateStore } from './adapters/templates';
import { cachedUserDirectory, pgUserDirectory } from './adapters/users';

/** Composition root of the router: priority topics in, channel topics and status events out. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('router', config, { postgres: true });

  const processor = createRouterProcessor({
    codec: rt.codec,
    topics: rt.topics,
    users: cachedUserDirectory(pgUserDirectory(rt.pool), {
      ttlMs: config.USER_CACHE_SECONDS * 1000,
      max: config.USER_CACHE_SIZE,
    }),
    templates: pgTemplateStore(rt.pool, config.TEMPLATE_CACHE_SECONDS * 1000),
    tiers: config.DELAY_TIERS,
    clock: Date.now,
    log: rt.log,
    metrics: {
      decisions: metricsFor.routerDecisions(rt.registry),
      scheduled: metricsFor.delayScheduled(rt.registry),
    },
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
  installShutdown(rt, { consumers: [consumers], http });
  rt.log.info({ port: config.HTTP_PORT }, 'router started');
}

main().catch((err: unknown) => exitOnStartFailure(err));
