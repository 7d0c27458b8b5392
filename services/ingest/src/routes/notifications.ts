import { randomUUID } from 'node:crypto';
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
import { hashRequest, idempotencyOutcome } from '../domain/idempotency';
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

/**
 * How long a request waits for Kafka before answering 503. Shorter than the idempotency lease, so a
 * client's retry never resumes a request that is still producing.
 */
const PUBLISH_TIMEOUT_MS = 10_000;

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HeraldError('dependency_unavailable', `Kafka did not acknowledge within ${ms} ms`)),
      ms,
    );
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function notificationRoutes(app: FastifyInstance, deps: NotificationRouteDeps): void {
  /** Validates and builds the request; nothing is claimed or produced for a bad one. */
  const build = (body: unknown): NotificationRequest => {
    const built = toRequest(parseInput(notificationInputSchema, body), randomUUID(), deps.clock());
    if (!built.ok) throw new HeraldError('validation_failed', built.message, { field: built.field });
    return built.request;
  };

  const produce = async (request: NotificationRequest): Promise<void> => {
    await withTimeout(
      deps.publisher.publish([
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
      ]),
      PUBLISH_TIMEOUT_MS,
    );
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
    const requestHash = hashRequest(request.body);
    const record = (state: IdempotencyRecord['state'], notificationId: string): IdempotencyRecord => ({
      state,
      requestHash,
      notificationId,
      at: deps.clock(),
    });

    let mine = record('pending', built.id);
    const existing = await deps.idempotency.claim(scoped, mine);
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
          mine = record('pending', outcome.notificationId);
          // Two retries racing for the same failed request: one resumes, the other is told to wait.
          if (!(await deps.idempotency.replace(scoped, existing, mine))) {
            throw new HeraldError(
              'idempotency_in_progress',
              'a request with this Idempotency-Key is still being processed',
            );
          }
      }
    }
    const id = mine.notificationId;
    try {
      await produce({ ...built, id });
    } catch (err) {
      await deps.idempotency.replace(scoped, mine, record('failed', id)).catch((e: unknown) => {
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
