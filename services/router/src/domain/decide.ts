import type { Channel, NotificationRequest } from '@herald/shared/domain';
import type { QuietHours } from './quiet-hours';

/** Who to reach and where: the stored user merged with the request's direct addresses. */
export interface Recipient {
  known: boolean;
  email: string | null;
  phone: string | null;
  pushTokens: string[];
  locale: string;
}

export const SUPPRESS_REASONS = [
  'no_address',
  'unknown_user',
  'unsubscribed',
  'opted_out',
  'address_suppressed',
  'duplicate',
  'rate_limited',
] as const;
export type SuppressReason = (typeof SUPPRESS_REASONS)[number];

export type ChannelDecision =
  | { channel: Channel; kind: 'deliver'; addresses: string[] }
  | { channel: Channel; kind: 'suppressed'; reason: SuppressReason }
  /** Over a frequency cap under a `defer` policy: routed again once the cap has room. */
  | { channel: Channel; kind: 'deferred'; reason: 'rate_limited'; until: number };

/** What a user asked for, as stored: read with the user, cached with the user. */
export interface UserPolicy {
  /** The user's IANA zone. */
  timezone: string;
  unsubscribed: boolean;
  /** Opted-out `<category>:<CHANNEL>` pairs. */
  optOuts: string[];
  /** In the quiet hours' own zone, or the user's. */
  quietHours: QuietHours | null;
}

export const NO_POLICY: UserPolicy = { timezone: 'UTC', unsubscribed: false, optOuts: [], quietHours: null };

export interface StoredUser {
  email: string | null;
  phone: string | null;
  locale: string;
  pushTokens: string[];
  policy: UserPolicy;
}

export function recipientFor(
  request: Pick<NotificationRequest, 'to' | 'locale'>,
  user: StoredUser | null,
): Recipient {
  const to = request.to;
  const tokens = to?.deviceTokens ?? user?.pushTokens ?? [];
  return {
    known: user !== null || to !== null,
    email: to?.email ?? user?.email ?? null,
    phone: to?.phone ?? user?.phone ?? null,
    pushTokens: [...new Set(tokens)],
    locale: request.locale ?? user?.locale ?? 'en',
  };
}

export function addressesOn(channel: Channel, r: Recipient): string[] {
  switch (channel) {
    case 'EMAIL':
      return r.email ? [r.email] : [];
    case 'SMS':
      return r.phone ? [r.phone] : [];
    case 'PUSH':
      return r.pushTokens;
  }
}
