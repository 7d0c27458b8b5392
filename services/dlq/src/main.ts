import {
  CHANNELS,
  ERROR_CODES,
  createRuntime,
  exitOnStartFailure,
  installShutdown,
  metricsFor,
  startConsumers,
  zeroSeries,
} from '@herald/shared';
import { loadConfig, retryPolicies } from './config';
import { buildApp } from './app';
import { createFailureProcessor } from './failures';
import { createTierProcessor, delayGroups, tierAllowance } from './tiers';
import { pgDeadLetters } from './adapters/dead-letters';
import { createAdminServices } from './admin';

/**
 * Composition root of the dlq service, Herald's delay and retry engine (DESIGN.md §4):
 * - notify.dlq in: each failed attempt is retried through the delay tiers, parked (dead_letters
 *   and notify.parked), or expired;
 * - notify.delay.<tier> in: each record is held until due, then released to its target topic or
 *   moved to a shorter tier; one consumer group per tier, so a long tier never holds up a short one;
 * - the dead-letter admin API.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dlq', config, { postgres: true });
  const deadLetters = pgDeadLetters(rt.pool);
  const tiers = config.DELAY_TIERS;
  const failureMetrics = {
    parked: metricsFor.parked(rt.registry),
    decisions: metricsFor.retryDecisions(rt.registry),
    scheduled: metricsFor.delayScheduled(rt.registry),
  };
  // What the dashboards and alerts read from the start (zeroSeries): a reason's first park shows too.
  zeroSeries(failureMetrics.parked, { reason: Object.keys(ERROR_CODES) });
  zeroSeries(failureMetrics.decisions, {
    decision: ['retry', 'park', 'expire'],
    channel: [...CHANNELS, 'none'],
  });
  zeroSeries(failureMetrics.scheduled, { tier: tiers.map((t) => t.name), kind: ['retry'] });

  const failures = await startConsumers({
    kafka: rt.kafka,
    groups: [{ groupId: rt.topics.group('herald-dlq'), topics: [rt.topics.dlq] }],
    processor: createFailureProcessor({
      codec: rt.codec,
      topics: rt.topics,
      tiers,
      policies: retryPolicies(config),
      deadLetters,
      clock: Date.now,
      random: Math.random,
      log: rt.log,
      metrics: failureMetrics,
    }),
    publisher: rt.publisher,
    topics: rt.topics,
    concurrency: config.DLQ_CONCURRENCY,
    orderByKey: false,
    log: rt.log,
    options: rt.consumerOptions,
    onFatal: (err) => rt.fatal(err),
    lag: rt.lag,
  });

  const delays = await startConsumers({
    kafka: rt.kafka,
    groups: delayGroups(rt.topics, tiers, config.DELAY_HORIZON_MS),
    processor: createTierProcessor({
      topics: rt.topics,
      tiers,
      clock: Date.now,
      metrics: {
        forwarded: metricsFor.delayForwarded(rt.registry),
        lateness: metricsFor.delayReleaseLateness(rt.registry),
        early: metricsFor.delayReleasedEarly(rt.registry),
      },
    }),
    publisher: rt.publisher,
    topics: rt.topics,
    concurrency: config.DELAY_CONCURRENCY,
    orderByKey: false,
    log: rt.log,
    options: rt.consumerOptions,
    onFatal: (err) => rt.fatal(err),
    // What waits in a tier is lag by design: reported apart, so no alert or autoscaler takes it
    // for a consumer that is behind (docs/architecture.md, the delay and retry engine).
    lag: {
      ...rt.lag,
      gauge: metricsFor.delayWaiting(rt.registry),
      overdue: { gauge: metricsFor.delayOverdue(rt.registry), allowanceMs: tierAllowance(rt.topics, tiers) },
    },
    maxWaitTimeInMs: config.DELAY_FETCH_WAIT_MS,
  });
  rt.readiness.checks.push(...failures.readiness(), ...delays.readiness());

  const admin = createAdminServices(rt, deadLetters);
  const http = buildApp(rt, deadLetters, admin);
  await http.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  // Bulk replays a stopped process left unfinished go on from their last chunk.
  await admin.replays.resume();
  installShutdown(rt, {
    consumers: [failures, delays],
    http,
    // After the consumers, before the producer closes: a running job stops between chunks.
    extra: [{ name: 'replay-jobs', run: () => admin.replays.stop() }],
  });
  rt.log.info({ port: config.HTTP_PORT, tiers: tiers.map((t) => t.name) }, 'dlq started');
}

main().catch((err: unknown) => exitOnStartFailure(err));
