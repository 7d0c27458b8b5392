import type { ChannelMessage, Priority } from '@herald/shared/domain';
import { toFcmData } from './fcm-data';

/**
 * What goes to FCM for a push, except the token: the part messages may share. Messages of a batch
 * whose content is the same (one notification to a user's several devices, say) go out in one
 * multicast call, so everything here is the group's key.
 */
export interface PushContent {
  notification: { title?: string; body: string };
  data?: Record<string, string>;
  android: { priority: 'high' | 'normal'; ttl?: number; collapseKey?: string };
  apns: { headers: Record<string, string> };
}

/**
 * Critical and high wake the device (Android `high`, APNs 10); normal and low may wait for it to be
 * awake (Android `normal`, APNs 5), as both platforms ask of anything not time-sensitive.
 */
const URGENT: ReadonlySet<Priority> = new Set(['CRITICAL', 'HIGH']);

/**
 * The content of one message as of `now`, or null when its data is not a JSON object. The TTL is
 * the request's, else what is left before `expiresAt`, else the platforms' default (4 weeks).
 */
export function pushContent(m: ChannelMessage, now: number): PushContent | null {
  const data = toFcmData(m.data);
  if (data === null) return null;
  const ttlSeconds =
    m.ttlSeconds ?? (m.expiresAt !== null ? Math.max(0, Math.floor((m.expiresAt - now) / 1000)) : null);
  const urgent = URGENT.has(m.priority);
  const headers: Record<string, string> = { 'apns-priority': urgent ? '10' : '5' };
  // APNs takes an absolute expiry (epoch seconds); 0 means "deliver now or never".
  if (ttlSeconds !== null)
    headers['apns-expiration'] = String(ttlSeconds === 0 ? 0 : Math.floor(now / 1000) + ttlSeconds);
  if (m.collapseKey) headers['apns-collapse-id'] = m.collapseKey;
  return {
    notification: { ...(m.title !== null ? { title: m.title } : {}), body: m.body },
    ...(Object.keys(data).length > 0 ? { data } : {}),
    android: {
      priority: urgent ? 'high' : 'normal',
      // firebase-admin takes the Android TTL in milliseconds.
      ...(ttlSeconds !== null ? { ttl: ttlSeconds * 1000 } : {}),
      ...(m.collapseKey ? { collapseKey: m.collapseKey } : {}),
    },
    apns: { headers },
  };
}

/** Groups messages by identical content, each group at most `max` tokens, in first-seen order. */
export function groupByContent<T>(
  items: readonly T[],
  contentOf: (item: T) => PushContent,
  max = 500,
): { content: PushContent; items: T[] }[] {
  const groups = new Map<string, { content: PushContent; items: T[] }[]>();
  const out: { content: PushContent; items: T[] }[] = [];
  for (const item of items) {
    const content = contentOf(item);
    const key = JSON.stringify(content);
    const chunks = groups.get(key) ?? [];
    let last = chunks.at(-1);
    if (!last || last.items.length >= max) {
      last = { content, items: [] };
      chunks.push(last);
      out.push(last);
      groups.set(key, chunks);
    }
    last.items.push(item);
  }
  return out;
}
