import { createHash, randomUUID } from 'node:crypto';
import { HeraldError, classifyError, parseInput, stableEventId, statusEvent, z } from '@herald/shared';
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
import { idempotencyOutcome } from '../domain/idempotency';
import type { IdempotencyRecord } from '../domain/idempotency';
import { notificationInputSchema, toRequest } from '../domain/notification-input';
import { buildView } from '../domain/timeline';
import type { IdempotencyStore } from '../adapters/idempotency-store';
import type { NotificationsRepo } from '../adapters/notifications-repo';

export interface NotificationRouteDeps {
  publisher: Publisher;
  topics: TopicNames;
  idempotency: IdempotencyStore;
  notifications: NotificationsRepo;
  clock: () => number;
  log: Logger;
  metrics: { accepted: Counter<'priority' | 'source'> };
}

const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII only');
const idParams = z.object({ id: z.uuid('expected a notification id (UUID)') });

/** Canonical hash of the body: the same JSON in another key order is the same request. */
function hashBody(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('hex');
}

export function notificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): void {
  /** Validates and builds the request; nothing is claimed or produced for a bad one. */
  const build = (body: unknown): NotificationRequest => {
    const built = toRequest(parseInput(notificationInputSchema, body), randomUUID(), deps.clock());
    if (!built.ok) throw new HeraldError('validation_failed', built.message, { field: built.field });
    return built.request;
  };

  const produce = async (request: NotificationRequest): Promise<void> => {
    await deps.publisher.publish([
      { topic: deps.topics.priority(request.priority), key: request.userId, value: request },
      {
        topic: deps.topics.status,
        key: request.id,
        value: statusEvent({
          eventId: stableEventId(request.id, 'ACCEPTED'),
          notificationId: request.id,
          status: 'ACCEPTED',
          service: 'ingest',
          at: request.createdAt,
          detail: {
            userId: request.userId,
            category: request.category,
            priority: request.priority,
            createdAt: request.createdAt,
          },
        }),
      },
    ]);
    deps.metrics.accepted.inc({ priority: request.priority, source: 'http' });
  };

  app.post('/v1/notifications', async (request: FastifyRequest, reply: FastifyReply) => {
    const built = build(request.body);
    const rawKey = request.headers['idempotency-key'];
    if (rawKey === undefined) {
      await produce(built);
      return reply.code(202).send({ id: built.id, status: 'accepted' });
    }
    const idemKey = parseInput(idempotencyKeySchema, rawKey, 'Idempotency-Key');
    const scoped = `${request.principal?.keyId ?? 'anon'}:${idemKey}`;
    const requestHash = hashBody(request.body);
    const record = (state: IdempotencyRecord['state'], notificationId: string): IdempotencyRecord => ({
      state,
      requestHash,
      notificationId,
      at: deps.clock(),
    });

    let id = built.id;
    const existing = await deps.idempotency.claim(scoped, record('pending', id));
    if (existing) {
      const outcome = idempotencyOutcome(existing, requestHash, deps.clock());
      switch (outcome.kind) {
        case 'replay':
          return reply
            .code(202)
            .header('idempotent-replayed', 'true')
            .send({ id: outcome.notificationId, status: 'accepted' });
        case 'in_progress':
          throw new HeraldError(
            'idempotency_in_progress',
            'a request with this Idempotency-Key is still being processed',
          );
        case 'conflict':
          throw new HeraldError(
            'idempotency_key_reused',
            'this Idempotency-Key was used with a different request body',
          );
        case 'resume':
          id = outcome.notificationId;
          await deps.idempotency.save(scoped, record('pending', id));
      }
    }
    try {
      await produce({ ...built, id });
    } catch (err) {
      await deps.idempotency.save(scoped, record('failed', id)).catch((e: unknown) => {
        deps.log.warn(
          { notificationId: id, err: classifyError(e).message },
          'could not mark the idempotency key failed',
        );
      });
      throw err;
    }
    // Accepted is accepted: a lost `done` only makes a retry resume (same id) instead of replay.
    await deps.idempotency.save(scoped, record('done', id)).catch((e: unknown) => {
      deps.log.warn(
        { notificationId: id, err: classifyError(e).message },
        'could not record the idempotency key',
      );
    });
    return reply.code(202).send({ id, status: 'accepted' });
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
