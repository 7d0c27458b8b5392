import { CHANNELS, PRIORITIES } from '@herald/shared';
import type { NotificationRequest } from '@herald/shared';

export type Validated =
  { ok: true; request: NotificationRequest; data: Record<string, unknown> } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What Avro cannot check: a record from any producer is decoded by its schema, then held to the
 * rules the HTTP API enforces, so a bad producer's record is parked with a reason, not half-sent.
 */
export function validateRequest(request: NotificationRequest): Validated {
  if (!UUID.test(request.id)) return { ok: false, reason: 'id must be a UUID' };
  if (request.userId.trim() === '') return { ok: false, reason: 'userId must not be empty' };
  if (request.category.trim() === '') return { ok: false, reason: 'category must not be empty' };
  if (!PRIORITIES.includes(request.priority))
    return { ok: false, reason: `unknown priority ${request.priority}` };
  if (request.channels) {
    if (request.channels.length === 0) return { ok: false, reason: 'channels must not be empty (use null)' };
    if (request.channels.some((c) => !CHANNELS.includes(c))) return { ok: false, reason: 'unknown channel' };
  }
  let data: unknown;
  try {
    data = request.data === '' ? {} : JSON.parse(request.data);
  } catch {
    return { ok: false, reason: 'data is not valid JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, reason: 'data must be a JSON object' };
  }
  return { ok: true, request, data: data as Record<string, unknown> };
}

export function isExpired(request: Pick<NotificationRequest, 'expiresAt'>, now: number): boolean {
  return request.expiresAt !== null && request.expiresAt <= now;
}
