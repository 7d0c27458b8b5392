import { HeraldError, parseInput, stableEventId, statusEvent } from '@herald/shared';
import type { NotificationRequest, OutboundRecord, Publisher, TopicNames } from '@herald/shared';
import { notificationInputSchema, toRequest } from '../domain/notification-input';
import type { NotificationInput } from '../domain/notification-input';

/**
 * How long a request waits for Kafka before answering 503. Shorter than the idempotency lease, so a
 * client's retry never resumes a request that is still producing.
 */
export const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * Validates one notification (a request body, or one item of a batch: `part` names where it is) and
 * builds its request; a bad one throws `validation_failed` naming the field.
 */
export function buildRequest(body: unknown, id: string, now: number, part = 'body'): NotificationRequest {
  return requestFrom(parseInput(notificationInputSchema, body, part), id, now);
}

/** The request a notification that passed its schema makes, once the checks that need the clock pass. */
export function requestFrom(input: NotificationInput, id: string, now: number): NotificationRequest {
  const built = toRequest(input, id, now);
  if (!built.ok) throw new HeraldError('validation_failed', built.message, { field: built.field });
  return built.request;
}

/** What accepting a notification produces: the request on its priority topic and its ACCEPTED event. */
export function acceptedRecords(topics: TopicNames, request: NotificationRequest): OutboundRecord[] {
  return [
    { topic: topics.priority(request.priority), key: request.userId, value: request },
    {
      topic: topics.status,
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
  ];
}

/** Publishes durably (acks=all) or fails with `dependency_unavailable` (503) after `ms`. */
export async function publishWithin(
  publisher: Publisher,
  records: OutboundRecord[],
  ms = PUBLISH_TIMEOUT_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HeraldError('dependency_unavailable', `Kafka did not acknowledge within ${ms} ms`)),
      ms,
    );
  });
  try {
    await Promise.race([publisher.publish(records), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
