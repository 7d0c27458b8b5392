import type { Channel } from '../domain/types';
import type { ChannelSender } from '../domain/sender';
import type { Priority } from '../domain/types';
import { laneGroups, startConsumers } from '../kafka/consumer';
import { metricsFor } from '../metrics';
import { buildOpsServer, installShutdown } from '../runtime';
import type { Runtime } from '../runtime';
import { createDispatchProcessor } from './dispatch-handler';
import { redisDeliveryKeys } from './delivery-keys';

export interface DispatcherOptions {
  channel: Channel;
  sender: ChannelSender;
  http: { port: number; host: string };
  /** Records (provider calls) in flight at once, across every lane. */
  concurrency: number;
  /** How long a delivery claim lasts: longer than a send can take (the provider timeout). */
  claimLeaseMs: number;
  /** The priority lanes this replica sends (`CONSUMER_LANES`). */
  lanes: readonly Priority[];
}

/**
 * What the three dispatchers share: their channel's four lane topics, each lane its own consumer
 * group (`herald-dispatcher-<channel>.<lane>`), the dispatch flow, the ops server and the shutdown
 * order. Each dispatcher's main.ts builds its provider's sender and calls this.
 */
export async function startDispatcher(rt: Runtime<{ redis: true }>, opts: DispatcherOptions): Promise<void> {
  const channel = opts.channel.toLowerCase();
  const processor = createDispatchProcessor({
    service: `dispatcher-${channel}`,
    sender: opts.sender,
    codec: rt.codec,
    topics: rt.topics,
    deliveryKeys: redisDeliveryKeys(rt.redis, { leaseMs: opts.claimLeaseMs }),
    clock: Date.now,
    log: rt.log,
    metrics: {
      attempts: metricsFor.dispatchAttempts(rt.registry),
      duration: metricsFor.dispatchDuration(rt.registry),
      endToEnd: metricsFor.endToEndLatency(rt.registry),
    },
  });

  const consumers = await startConsumers({
    kafka: rt.kafka,
    groups: laneGroups(opts.lanes, (p) => ({
      groupId: rt.topics.group(`herald-dispatcher-${channel}.${p.toLowerCase()}`),
      topics: [rt.topics.channel(opts.channel, p)],
    })),
    processor,
    publisher: rt.publisher,
    topics: rt.topics,
    concurrency: opts.concurrency,
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
  await http.listen(opts.http);
  installShutdown(rt, {
    consumers: [consumers],
    http,
    extra: [{ name: 'sender', run: () => opts.sender.close() }],
  });
  rt.log.info({ port: opts.http.port, provider: opts.sender.provider }, 'dispatcher started');
}
