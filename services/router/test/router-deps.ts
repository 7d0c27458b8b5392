import { randomUUID } from 'node:crypto';
import { DEFAULT_DELAY_TIERS, createRegistry, metricsFor, parseTiers } from '@herald/shared';
import type { InboundRecord, NotificationRequest } from '@herald/shared';
import { silentLog } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import type { RouterDeps } from '../src/consumer';
import { pgCatalog } from '../src/adapters/catalog';
import { redisGate } from '../src/adapters/gate';
import { pgSuppressionList } from '../src/adapters/suppressions';
import { pgTemplateStore } from '../src/adapters/templates';
import { pgUserDirectory } from '../src/adapters/users';
import { DEFAULT_CAP_POLICIES } from '../src/domain/caps';
import { DEFAULT_CHANNELS } from '../src/domain/rules';

/** The router's dependencies as main.ts wires them, on this file's topics; `over` replaces some. */
export function routerDeps(d: IntegrationDeps, over: Partial<RouterDeps> = {}): RouterDeps {
  const registry = createRegistry(`router-test-${randomUUID()}`);
  return {
    codec: d.codec,
    topics: d.topics,
    users: pgUserDirectory(d.pool),
    suppressions: pgSuppressionList(d.pool),
    catalog: pgCatalog(d.pool, { ttlMs: 0, log: silentLog }),
    gate: redisGate(d.redis, d.prefix),
    templates: pgTemplateStore(d.pool, 1000),
    tiers: parseTiers(DEFAULT_DELAY_TIERS),
    policy: { defaults: DEFAULT_CHANNELS, caps: [], capPolicies: DEFAULT_CAP_POLICIES, dedupWindowMs: 0 },
    clock: Date.now,
    log: silentLog,
    metrics: {
      decisions: metricsFor.routerDecisions(registry),
      scheduled: metricsFor.delayScheduled(registry),
    },
    ...over,
  };
}

/** A request to `userId` (the welcome template, every field Herald's API would set). */
export function requestFor(userId: string, over: Partial<NotificationRequest> = {}): NotificationRequest {
  return {
    id: randomUUID(),
    userId,
    category: 'account',
    priority: 'NORMAL',
    templateId: 'welcome',
    channels: null,
    data: JSON.stringify({ name: 'Ada', product: 'Herald' }),
    dedupKey: null,
    createdAt: Date.now(),
    sendAt: null,
    expiresAt: null,
    to: null,
    locale: null,
    ...over,
  };
}

/** The request as the router receives it from its priority topic. */
export async function recordOf(d: IntegrationDeps, r: NotificationRequest): Promise<InboundRecord> {
  const topic = d.topics.priority(r.priority);
  return {
    topic,
    partition: 0,
    offset: '0',
    key: Buffer.from(r.userId),
    value: await d.codec.encode(topic, r),
    headers: {},
    timestamp: '0',
  };
}
