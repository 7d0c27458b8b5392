import { z } from '@herald/shared/domain';
import type { IdempotencyLease } from './idempotency';

/** Most items one batch may hold (DESIGN.md §6). */
export const MAX_BATCH_ITEMS = 1000;

/** One item as the batch body takes it: anything, judged on its own later (see batchInputSchema). */
export const batchItemSchema = z.unknown();

/**
 * The body of POST /v1/notifications/batch as a whole. Items are only required to be there: each is
 * validated on its own, like the body of POST /v1/notifications, so one bad item is refused without
 * refusing the others.
 */
export const batchInputSchema = z.strictObject({
  notifications: z
    .array(batchItemSchema)
    .min(1, 'must hold at least 1 notification')
    .max(MAX_BATCH_ITEMS, `must hold at most ${MAX_BATCH_ITEMS} notifications`),
});

/** An item's error, shaped as the `error` of every error body (ErrorBody in @herald/shared). */
export interface ItemError {
  code: string;
  message: string;
  field?: string;
}

export type BatchItemResult =
  { index: number; id: string; status: 'accepted' } | { index: number; status: 'rejected'; error: ItemError };

/** The 202 answer: one result per item, in the items' order. */
export interface BatchAnswer {
  results: BatchItemResult[];
  accepted: number;
  rejected: number;
}

/**
 * A batch's Idempotency-Key keeps the whole answer. A replay must not validate again: an item's
 * `expiresAt` may have passed since, and the client was told that item was accepted.
 */
export interface BatchIdempotencyRecord extends IdempotencyLease {
  results: BatchItemResult[];
}

/** Where item `index` is in the body: the prefix of its fields. */
export const itemPath = (index: number): string => `notifications[${index}]`;

/**
 * An item's error with its field rooted at the batch (`userId` of item 3 is
 * `notifications[3].userId`), and its message, which starts with the field, to match.
 */
export function itemError(
  index: number,
  err: { code: string; message: string; field?: string | undefined },
): ItemError {
  const root = itemPath(index);
  const field = err.field === undefined || err.field === root ? root : `${root}.${err.field}`;
  const own = err.field === undefined ? null : `${err.field}: `;
  const reason = own !== null && err.message.startsWith(own) ? err.message.slice(own.length) : err.message;
  return { code: err.code, message: `${field}: ${reason}`, field };
}

export function batchAnswer(results: BatchItemResult[]): BatchAnswer {
  const accepted = results.filter((r) => r.status === 'accepted').length;
  return { results, accepted, rejected: results.length - accepted };
}

/**
 * This attempt's results with the ids an earlier attempt of the same batch gave out (it failed, or
 * its process died): had that attempt reached Kafka after all, the same ids let delivery keys keep
 * a user from getting an item twice. An item valid then and not now (its `expiresAt` has passed)
 * is rejected now; one accepted now always was, since only the clock can change the outcome.
 */
export function keepIds(results: BatchItemResult[], previous: BatchItemResult[]): BatchItemResult[] {
  return results.map((r, i) => {
    const earlier = previous[i];
    return r.status === 'accepted' && earlier?.status === 'accepted' ? { ...r, id: earlier.id } : r;
  });
}
