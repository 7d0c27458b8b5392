import {
  CHANNELS,
  E164,
  LOCALE,
  MAX_DATA_BYTES,
  MAX_COLLAPSE_KEY,
  MAX_DEDUP_WINDOW_SECONDS,
  MAX_PUSH_TTL_SECONDS,
  MAX_TAGS,
  MAX_DEVICE_TOKENS,
  MAX_TIMESTAMP_MS,
  PRINTABLE,
  PRIORITIES,
  TAG,
  USER_ID,
  UUID,
  z,
} from '@herald/shared/domain';
import type { NotificationRequest } from '@herald/shared/domain';

export type Validated =
  | { ok: true; request: NotificationRequest; data: Record<string, unknown> }
  | { ok: false; reason: string; notificationId: string | null };

const nullable = <T extends z.ZodType>(t: T) => t.nullable();
const text = (max: number) =>
  z.string().min(1).max(max).regex(PRINTABLE, 'must not contain control characters');
const timestamp = () => z.number().int().min(0).max(MAX_TIMESTAMP_MS);

/**
 * A decoded record from any producer is held to the rules the HTTP API enforces, so a bad
 * producer's record is parked with a reason rather than half-sent or retried forever.
 */
const requestSchema = z.object({
  id: z.string().regex(UUID, 'must be a UUID'),
  userId: z.string().regex(USER_ID, 'must be 1-200 characters of A-Z a-z 0-9 . _ : @ -'),
  category: text(100),
  priority: z.enum(PRIORITIES),
  templateId: nullable(text(200)),
  channels: nullable(z.array(z.enum(CHANNELS)).min(1, 'must not be empty (use null)')),
  data: z.string().max(MAX_DATA_BYTES, `must be at most ${MAX_DATA_BYTES} bytes`),
  dedupKey: nullable(text(200)),
  createdAt: timestamp(),
  sendAt: nullable(timestamp()),
  expiresAt: nullable(timestamp()),
  to: nullable(
    z.object({
      email: nullable(text(320).includes('@')),
      phone: nullable(z.string().regex(E164, 'must be E.164')),
      deviceTokens: nullable(z.array(text(4096)).max(MAX_DEVICE_TOKENS)),
    }),
  ),
  locale: nullable(z.string().regex(LOCALE, 'must be a BCP 47 tag')),
  // Absent (undefined) in records of producers older than these fields.
  dedupWindowSeconds: z.number().int().min(0).max(MAX_DEDUP_WINDOW_SECONDS).nullish(),
  tags: z
    .array(z.string().regex(TAG, 'must be 1-100 characters of A-Z a-z 0-9 . _ : -'))
    .max(MAX_TAGS)
    .nullish(),
  pushTtlSeconds: z.number().int().min(0).max(MAX_PUSH_TTL_SECONDS).nullish(),
  pushCollapseKey: text(MAX_COLLAPSE_KEY).nullish(),
});

function idOf(decoded: unknown): string | null {
  const id = (decoded as { id?: unknown } | null)?.id;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

export function validateRequest(decoded: unknown): Validated {
  const parsed = requestSchema.safeParse(decoded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason = issue ? `${issue.path.join('.') || 'record'} ${issue.message}` : 'invalid request';
    return { ok: false, reason, notificationId: idOf(decoded) };
  }
  const request = parsed.data;
  let data: unknown;
  try {
    data = request.data === '' ? {} : JSON.parse(request.data);
  } catch {
    return { ok: false, reason: 'data is not valid JSON', notificationId: request.id };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'data must be a JSON object', notificationId: request.id };
  }
  return { ok: true, request, data: data as Record<string, unknown> };
}

export function isExpired(request: Pick<NotificationRequest, 'expiresAt'>, now: number): boolean {
  return request.expiresAt !== null && request.expiresAt <= now;
}

export type Timing = { kind: 'now' } | { kind: 'expired' } | { kind: 'later'; at: number };

/**
 * When a request is to be routed: at once, later (its `sendAt` is ahead: the delay engine holds it
 * until then), or never (it expired, or expires before its `sendAt`, so it could not be sent in time).
 */
export function timingOf(request: Pick<NotificationRequest, 'expiresAt' | 'sendAt'>, now: number): Timing {
  if (isExpired(request, now)) return { kind: 'expired' };
  if (request.sendAt === null || request.sendAt <= now) return { kind: 'now' };
  if (request.expiresAt !== null && request.expiresAt <= request.sendAt) return { kind: 'expired' };
  return { kind: 'later', at: request.sendAt };
}
