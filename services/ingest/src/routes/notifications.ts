import { randomUUID } from 'node:crypto';
import { HeraldError, apiRoute, z } from '@herald/shared';
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
import { notificationInputSchema } from '../domain/notification-input';
import { acceptedRecords, publishWithin, requestFrom } from './accept';
import { idempotencyKeyHeader, idempotencyKeyOf, runIdempotent } from './idempotent';
import { acceptedSchema, notificationViewSchema, replayedHeader } from './api-schemas';

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

/** The answers of a request under an Idempotency-Key that cannot be run now, or not again. */
export const idempotencyErrors = {
  409: 'A request with this Idempotency-Key is still being processed (`idempotency_in_progress`): retry after Retry-After.',
  422: 'This Idempotency-Key was used with a different body (`idempotency_key_reused`).',
  503: 'Kafka did not acknowledge in time (`dependency_unavailable`): nothing was accepted; retry (with the same Idempotency-Key).',
};

export function notificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): void {
  const produce = async (request: NotificationRequest): Promise<void> => {
    await publishWithin(deps.publisher, acceptedRecords(deps.topics, request));
    deps.metrics.accepted.inc({ priority: request.priority, source: 'http' });
  };

  const send = {
    method: 'POST',
    url: '/v1/notifications',
    operationId: 'sendNotification',
    summary: 'Send a notification',
    description:
      'Answered once the request is durably in Kafka (acks=all). Routing, preferences, quiet hours and delivery happen after; follow them with GET /v1/notifications/{id}.',
    tags: ['notifications'],
    access: 'send',
    body: notificationInputSchema,
    headers: idempotencyKeyHeader,
    errors: idempotencyErrors,
    responses: {
      202: { description: 'Accepted.', schema: acceptedSchema, headers: replayedHeader },
    },
  } as const;
  apiRoute(app, send, async ({ body }, request: FastifyRequest, reply: FastifyReply) => {
    // Validated first: nothing is claimed or produced for a bad body.
    const built = requestFrom(body, randomUUID(), deps.clock());
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

  const status = {
    method: 'GET',
    url: '/v1/notifications/:id',
    operationId: 'getNotification',
    summary: 'A notification’s status and timeline, overall and per channel',
    tags: ['notifications'],
    access: 'send',
    params: idParams,
    errors: { 404: 'Unknown, or not projected yet (the status follows Kafka by a moment).' },
    responses: { 200: { description: 'The status.', schema: notificationViewSchema } },
  } as const;
  apiRoute(app, status, async ({ params: { id } }) => {
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
