import { randomUUID } from 'node:crypto';
import { HeraldError, parseInput, z } from '@herald/shared';
import type {
  Counter,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  Logger,
  NotificationRequest,
  Publisher,
  TopicNames,
} from '@herald/shared';
import { hashRequest } from '../domain/idempotency';
import type { IdempotencyRecord } from '../domain/idempotency';
import { buildView } from '../domain/timeline';
import type { IdempotencyStore } from '../adapters/idempotency-store';
import type { NotificationsRepo } from '../adapters/notifications-repo';
import { acceptedRecords, buildRequest, publishWithin } from './accept';
import { idempotencyKeyOf, runIdempotent } from './idempotent';

export interface NotificationRouteDeps {
  publisher: Publisher;
  topics: TopicNames;
  idempotency: IdempotencyStore;
  notifications: NotificationsRepo;
  clock: () => number;
  log: Logger;
  metrics: { accepted: Counter<'priority' | 'source'> };
}

const idParams = z.object({ id: z.uuid('expected a notification id (UUID)') });

export function notificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): void {
  const produce = async (request: NotificationRequest): Promise<void> => {
    await publishWithin(deps.publisher, acceptedRecords(deps.topics, request));
    deps.metrics.accepted.inc({ priority: request.priority, source: 'http' });
  };

  app.post('/v1/notifications', async (request: FastifyRequest, reply: FastifyReply) => {
    // Validated first: nothing is claimed or produced for a bad body.
    const built = buildRequest(request.body, randomUUID(), deps.clock());
    const key = idempotencyKeyOf(request);
    if (key === null) {
      await produce(built);
      return reply.code(202).send({ id: built.id, status: 'accepted' });
    }
    const fresh: IdempotencyRecord = {
      state: 'pending',
      requestHash: hashRequest(request.body),
      notificationId: built.id,
      at: deps.clock(),
    };
    const { record, replayed } = await runIdempotent(deps, {
      key,
      fresh,
      resume: (previous) => ({ ...fresh, notificationId: previous.notificationId }),
      run: (mine) => produce({ ...built, id: mine.notificationId }),
      logFields: (mine) => ({ notificationId: mine.notificationId }),
    });
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return reply.code(202).send({ id: record.notificationId, status: 'accepted' });
  });

  app.get('/v1/notifications/:id', async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const found = await deps.notifications.find(id);
    if (!found) throw new HeraldError('not_found', `notification ${id} not found (or not projected yet)`);
    const view = buildView(found.events);
    const s = found.summary;
    return {
      id,
      userId: s?.userId ?? null,
      category: s?.category ?? null,
      priority: s?.priority?.toLowerCase() ?? null,
      createdAt: s?.createdAt?.toISOString() ?? null,
      ...view,
    };
  });
}
