import { randomUUID } from 'node:crypto';
import { HeraldError, apiRoute } from '@herald/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest, NotificationRequest } from '@herald/shared';
import { hashRequest } from '../domain/idempotency';
import {
  MAX_BATCH_ITEMS,
  batchAnswer,
  batchInputSchema,
  batchItemSchema,
  itemError,
  itemPath,
  keepIds,
} from '../domain/notification-batch';
import { notificationInputSchema } from '../domain/notification-input';
import type { BatchIdempotencyRecord, BatchItemResult, ItemError } from '../domain/notification-batch';
import { acceptedRecords, buildRequest, publishWithin } from './accept';
import { idempotencyKeyHeader, idempotencyKeyOf, runIdempotent } from './idempotent';
import { idempotencyErrors } from './notifications';
import type { NotificationRouteDeps } from './notifications';
import { batchAnswerSchema, replayedHeader } from './api-schemas';

export interface NotificationBatchDeps extends NotificationRouteDeps {
  /** Largest batch body in bytes: 1000 items outgrow the limit of every other request. */
  batchBodyLimit: number;
}

/** An item once validated: its request, or why it is refused. */
type Checked = { ok: true; request: NotificationRequest } | { ok: false; error: ItemError };

function check(item: unknown, index: number, now: number): Checked {
  try {
    return { ok: true, request: buildRequest(item, randomUUID(), now, itemPath(index)) };
  } catch (err) {
    // An item's own validation error is its result; anything else is a surprise for the whole request.
    if (err instanceof HeraldError && err.code === 'validation_failed') {
      return { ok: false, error: itemError(index, err) };
    }
    throw err;
  }
}

const resultOf = (c: Checked, index: number): BatchItemResult =>
  c.ok ? { index, id: c.request.id, status: 'accepted' } : { index, status: 'rejected', error: c.error };

/** The accepted items' requests, under the ids `results` gave them (a resumed batch keeps its ids). */
function requestsOf(checked: Checked[], results: BatchItemResult[]): NotificationRequest[] {
  return checked.flatMap((c, i) => {
    const r = results[i];
    return c.ok && r?.status === 'accepted' ? [{ ...c.request, id: r.id }] : [];
  });
}

/**
 * POST /v1/notifications/batch: each item validated as the body of POST /v1/notifications and
 * answered on its own; the valid ones produced together. An Idempotency-Key covers the batch as a
 * whole, because a client retries the batch as a whole (per-item keys are not supported: an item's
 * `idempotencyKey` is an unknown field, refused like any other).
 */
export function notificationBatchRoutes(app: FastifyInstance, deps: NotificationBatchDeps): void {
  /**
   * The 202 is answered only once every accepted item is acknowledged (acks=all); a failure fails
   * the whole batch (503), and no item is claimed accepted. One publish per priority: the publisher
   * gives critical records a producer of their own, and a batch's critical items must not wait
   * for its other items. The publisher splits what exceeds a produce request.
   */
  const produce = async (requests: NotificationRequest[]): Promise<void> => {
    if (requests.length === 0) return;
    const byPriority = new Map<string, NotificationRequest[]>();
    for (const r of requests) {
      const group = byPriority.get(r.priority) ?? [];
      group.push(r);
      byPriority.set(r.priority, group);
    }
    await Promise.all(
      [...byPriority.values()].map((group) =>
        publishWithin(
          deps.publisher,
          group.flatMap((r) => acceptedRecords(deps.topics, r)),
        ),
      ),
    );
    for (const r of requests) deps.metrics.accepted.inc({ priority: r.priority, source: 'http_batch' });
  };

  const handler = async (
    notifications: unknown[],
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    const now = deps.clock();
    const checked = notifications.map((item, index) => check(item, index, now));
    const results = checked.map(resultOf);
    const key = idempotencyKeyOf(request);
    if (key === null) {
      await produce(requestsOf(checked, results));
      return reply.code(202).send(batchAnswer(results));
    }
    const fresh: BatchIdempotencyRecord = {
      state: 'pending',
      requestHash: hashRequest(request.body),
      results,
      at: deps.clock(),
    };
    const { record, replayed } = await runIdempotent(deps, {
      key,
      fresh,
      resume: (previous) => ({ ...fresh, results: keepIds(results, previous.results) }),
      run: (mine) => produce(requestsOf(checked, mine.results)),
      logFields: (mine) => ({ batchItems: mine.results.length }),
    });
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return reply.code(202).send(batchAnswer(record.results));
  };

  const batch = {
    method: 'POST',
    url: '/v1/notifications/batch',
    operationId: 'sendNotificationBatch',
    summary: `Send up to ${MAX_BATCH_ITEMS} notifications`,
    description:
      'Each item is validated as the body of POST /v1/notifications, and answered on its own: the valid ones are accepted even when others are rejected. The 202 comes once every accepted item is in Kafka. An Idempotency-Key covers the batch as a whole.',
    tags: ['notifications'],
    access: 'send',
    body: batchInputSchema,
    documentAs: [[batchItemSchema, notificationInputSchema]],
    headers: idempotencyKeyHeader,
    errors: idempotencyErrors,
    responses: {
      202: {
        description: 'One result per item, in order.',
        schema: batchAnswerSchema,
        headers: replayedHeader,
      },
    },
  } as const;
  // The batch as a whole is checked first: a bad envelope claims no key and produces nothing.
  apiRoute(app, batch, ({ body }, request, reply) => handler(body.notifications, request, reply), {
    bodyLimit: deps.batchBodyLimit,
  });
}
