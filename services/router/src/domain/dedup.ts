import { createHash } from 'node:crypto';
import type { NotificationRequest } from '@herald/shared/domain';

/** A value as text with its object keys sorted, so equal data always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two requests the same notification (DESIGN.md §2.2): the producer's `dedupKey`, or
 * else a stable hash of the user, the template (or the category when there is none) and the data.
 * Always per user: a producer's key such as `newsletter-2026-12` means one per user, not one in all.
 * Hashed, so no address or data in the key shows in Redis.
 */
export function dedupKeyOf(
  request: Pick<NotificationRequest, 'userId' | 'dedupKey' | 'templateId' | 'category'>,
  data: Record<string, unknown>,
): string {
  const h = createHash('sha256');
  if (request.dedupKey !== null) h.update(`key\0${request.dedupKey}`);
  else {
    const what =
      request.templateId !== null ? `template\0${request.templateId}` : `category\0${request.category}`;
    h.update(`content\0${what}\0${canonicalJson(data)}`);
  }
  return `dedup:{${request.userId}}:${h.digest('base64url')}`;
}

/** The request's own window, or the default; 0 turns dedup off for the request. */
export function dedupWindowMs(request: { dedupWindowSeconds?: number | null }, defaultMs: number): number {
  const own = request.dedupWindowSeconds;
  return own === null || own === undefined ? defaultMs : own * 1000;
}
