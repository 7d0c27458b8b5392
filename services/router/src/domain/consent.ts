import type { Channel } from '@herald/shared/domain';

/** What a user asked for, and which of their addresses are known to be dead. */
export interface Consent {
  /** Opted-out pairs, `<category>:<CHANNEL>` (e.g. `marketing:EMAIL`). */
  optOuts: ReadonlySet<string>;
  /** Unsubscribed from everything but required categories. */
  unsubscribed: boolean;
  /** Addresses not to use, `<CHANNEL>:<address>`: hard bounces, invalid numbers, dead tokens. */
  suppressed: ReadonlySet<string>;
}

export const NO_CONSENT_LIMITS: Consent = { optOuts: new Set(), unsubscribed: false, suppressed: new Set() };

export const optOutKey = (category: string, channel: Channel) => `${category}:${channel}`;
export const suppressionKey = (channel: Channel, address: string) => `${channel}:${address}`;

export type ConsentReason = 'no_address' | 'unsubscribed' | 'opted_out' | 'address_suppressed';

export type ConsentVerdict = { ok: true; addresses: string[] } | { ok: false; reason: ConsentReason };

/**
 * Whether a channel may be used, and on which addresses. A category marked required (security,
 * legal) ignores opt-outs and the global unsubscribe; a suppressed address is never used, required
 * or not: it cannot receive. A channel without an address is `no_address`, a normal outcome.
 */
export function consentFor(
  channel: Channel,
  addresses: readonly string[],
  category: { id: string; required: boolean },
  consent: Consent,
): ConsentVerdict {
  if (addresses.length === 0) return { ok: false, reason: 'no_address' };
  if (!category.required) {
    if (consent.unsubscribed) return { ok: false, reason: 'unsubscribed' };
    if (consent.optOuts.has(optOutKey(category.id, channel))) return { ok: false, reason: 'opted_out' };
  }
  const usable = addresses.filter((a) => !consent.suppressed.has(suppressionKey(channel, a)));
  return usable.length > 0 ? { ok: true, addresses: usable } : { ok: false, reason: 'address_suppressed' };
}
