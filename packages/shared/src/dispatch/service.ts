import type { Channel, Priority } from '../domain/types';
import type { ChannelSender } from '../domain/sender';
import type { BreakerSettings } from '../domain/breaker';
import type { Tier } from '../domain/delay';
import { announceChange } from '../changes';
import { laneGroups, startConsumers } from '../kafka/consumer';
import { metricsFor, zeroSeries } from '../metrics';
import { buildOpsServer, installShutdown } from '../runtime';
import type { Runtime } from '../runtime';
import { createDispatchProcessor } from './dispatch-handler';
import { redisDeliveryKeys } from './delivery-keys';
import { circuitStates, loggedBreaker } from './providers';
import type { GuardedProvider } from './providers';
import { RateLimiter, redisTokenSource } from './rate-limit';
import { pgSuppressionWriter } from './suppressions';

/** The settings of `dispatcherEnv` (config.ts) that startDispatcher uses. */
export interface DispatcherSettings {
  HTTP_PORT: number;
  HTTP_HOST: string;
  DISPATCH_CONCURRENCY: number;
  CONSUMER_LANES: readonly Priority[];
  DISPATCH_CLAIM_LEASE_MS: number;
  CIRCUIT_FAILURE_THRESHOLD: number;
  CIRCUIT_COOLDOWN_MS: number;
  CIRCUIT_HALF_OPEN_TRIALS: number;
  CIRCUIT_SUCCESS_THRESHOLD: number;
  DISPATCH_DEFER_SPREAD_MS: number;
  TOPIC_PREFIX: string;
  DELAY_TIERS: readonly Tier[];
}

export interface ProviderSetup {
  sender: ChannelSender;
  /** Sends per second the account allows, across replicas; 0 for none. */
  rateLimit: number;
}

export interface DispatcherOptions {
  channel: Channel;
  /** The primary first; a secondary after it takes over while the primary's circuit is open. */
  providers: readonly ProviderSetup[];
  settings: DispatcherSettings;
}

/**
 * What the three dispatchers share: their channel's four lane topics, each lane its own consumer
 * group (`herald-dispatcher-<channel>.<lane>`), each provider's breaker (this replica's own) and
 * shared rate limit (Redis), the dispatch flow, the ops server and the shutdown order. Each
 * dispatcher's main.ts builds its provider's sender and calls this.
 */
export async function startDispatcher(
  rt: Runtime<{ redis: true; postgres: true }>,
  opts: DispatcherOptions,
): Promise<void> {
  const { settings } = opts;
  const channel = opts.channel.toLowerCase();
  const service = `dispatcher-${channel}`;
  const breaker: BreakerSettings = {
    failureThreshold: settings.CIRCUIT_FAILURE_THRESHOLD,
    cooldownMs: settings.CIRCUIT_COOLDOWN_MS,
    halfOpenTrials: settings.CIRCUIT_HALF_OPEN_TRIALS,
    successThreshold: settings.CIRCUIT_SUCCESS_THRESHOLD,
  };
  const names = opts.providers.map((p) => p.sender.provider);
  const transitions = metricsFor.circuitTransitions(rt.registry);
  zeroSeries(transitions, { provider: names, to: ['open', 'half_open', 'closed'] });
  const throttled = metricsFor.dispatchThrottled(rt.registry);
  zeroSeries(throttled, { provider: names });
  const providers: GuardedProvider[] = opts.providers.map(({ sender, rateLimit }) => ({
    sender,
    breaker: loggedBreaker(sender.provider, breaker, rt.log, (to) =>
      transitions.inc({ provider: sender.provider, to }),
    ),
    limiter:
      rateLimit > 0
        ? new RateLimiter(
            // One bucket per provider account, shared by every replica of every dispatcher using it.
            redisTokenSource(rt.redis, `${settings.TOPIC_PREFIX}ratelimit:${sender.provider}`, rateLimit),
            { onThrottled: (ms) => throttled.inc({ provider: sender.provider }, ms / 1000) },
          )
        : null,
  }));
  metricsFor.circuitState(rt.registry, circuitStates(providers));

  const metrics = {
    attempts: metricsFor.dispatchAttempts(rt.registry),
    duration: metricsFor.dispatchDuration(rt.registry),
    endToEnd: metricsFor.endToEndLatency(rt.registry),
    deferred: metricsFor.dispatchDeferred(rt.registry),
    suppressed: metricsFor.addressesSuppressed(rt.registry),
    providerErrors: metricsFor.providerErrors(rt.registry),
    unrecorded: metricsFor.dispatchUnrecorded(rt.registry),
  };
  // What the dashboards and alerts read from the start (metrics.ts, zeroSeries).
  zeroSeries(metrics.attempts, {
    channel: [opts.channel],
    provider: names,
    outcome: ['sent', 'transient_error', 'permanent_error', 'internal_error', 'duplicate', 'expired'],
  });
  zeroSeries(metrics.deferred, { channel: [opts.channel], reason: ['circuit_open'] });
  zeroSeries(metrics.suppressed, { channel: [opts.channel], source: [service] });

  const processor = createDispatchProcessor({
    service,
    providers,
    codec: rt.codec,
    topics: rt.topics,
    tiers: settings.DELAY_TIERS,
    deliveryKeys: redisDeliveryKeys(rt.redis, { leaseMs: settings.DISPATCH_CLAIM_LEASE_MS }),
    // The router caches profiles: told which users lost an address, it forgets them.
    suppressions: pgSuppressionWriter(rt.pool, async (users) => {
      await Promise.all(
        users.map((userId) =>
          announceChange(rt.redis, settings.TOPIC_PREFIX, { kind: 'user', userId }, rt.log),
        ),
      );
    }),
    clock: Date.now,
    deferSpreadMs: settings.DISPATCH_DEFER_SPREAD_MS,
    random: Math.random,
    log: rt.log,
    metrics,
  });

  const consumers = await startConsumers({
    kafka: rt.kafka,
    groups: laneGroups(settings.CONSUMER_LANES, (p) => ({
      groupId: rt.topics.group(`herald-dispatcher-${channel}.${p.toLowerCase()}`),
      topics: [rt.topics.channel(opts.channel, p)],
    })),
    processor,
    publisher: rt.publisher,
    topics: rt.topics,
    concurrency: settings.DISPATCH_CONCURRENCY,
    // Deliveries are independent: a user's second email need not wait for the first.
    orderByKey: false,
    // Longer than a provider call may take (the SDKs' 10 s timeouts): a send in flight at a
    // shutdown or a rebalance gets its key recorded, instead of being sent again after the lease.
    drainMs: 15_000,
    log: rt.log,
    options: rt.consumerOptions,
    onFatal: (err) => rt.fatal(err),
    lag: rt.lag,
  });
  rt.readiness.checks.push(...consumers.readiness());

  const http = buildOpsServer(rt);
  await http.listen({ port: settings.HTTP_PORT, host: settings.HTTP_HOST });
  installShutdown(rt, {
    consumers: [consumers],
    http,
    extra: opts.providers.map(({ sender }) => ({
      name: `sender ${sender.provider}`,
      run: () => sender.close(),
    })),
  });
  rt.log.info(
    { port: settings.HTTP_PORT, providers: opts.providers.map((p) => p.sender.provider) },
    'dispatcher started',
  );
}
