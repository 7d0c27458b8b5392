import { createRegistry, metricsFor } from '@herald/shared';
import type { FastifyInstance, Publisher, Registry } from '@herald/shared';
import { silentLog } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { buildApp } from '../src/app';
import { redisIdempotencyStore } from '../src/adapters/idempotency-store';
import { pgNotificationsRepo } from '../src/adapters/notifications-repo';
import { pgPolicyRepo } from '../src/adapters/policy-repo';
import { pgTemplatesRepo } from '../src/adapters/templates-repo';
import { pgUsersRepo } from '../src/adapters/users-repo';

/** The app as main.ts builds it, on a test's real clients; what a test varies is given. */
export function ingestApp(
  deps: IntegrationDeps,
  opts: {
    publisher?: Publisher;
    registry?: Registry;
    /** The accepted-requests counter, when the test reads it. */
    accepted?: ReturnType<typeof metricsFor.acceptedRequests>;
    bodyLimit?: number;
    batchBodyLimit?: number;
  } = {},
): FastifyInstance {
  const registry = opts.registry ?? createRegistry('ingest-test');
  return buildApp({
    registry,
    readiness: { draining: false, checks: [] },
    pool: deps.pool,
    log: silentLog,
    publisher: opts.publisher ?? deps.publisher,
    topics: deps.topics,
    idempotency: redisIdempotencyStore(deps.redis, 60),
    notifications: pgNotificationsRepo(deps.pool),
    users: pgUsersRepo(deps.pool),
    policy: pgPolicyRepo(deps.pool),
    templates: pgTemplatesRepo(deps.pool),
    changes: { redis: deps.redis, topicPrefix: deps.prefix, log: silentLog },
    clock: Date.now,
    metrics: { accepted: opts.accepted ?? metricsFor.acceptedRequests(registry) },
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    batchBodyLimit: opts.batchBodyLimit ?? 1024 * 1024,
  });
}
