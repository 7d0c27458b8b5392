import type { Channel, NotificationRequest } from '@herald/shared/domain';
import { countersFor } from './caps';
import type { CapCounter, CapPolicies, CapRule, CapVerdict } from './caps';
import { consentFor } from './consent';
import type { Consent } from './consent';
import { addressesOn } from './decide';
import type { ChannelDecision, Recipient, UserPolicy } from './decide';
import { dedupKeyOf, dedupWindowMs } from './dedup';
import { quietUntil } from './quiet-hours';
import { selectChannels } from './rules';
import type { PriorityDefaults, RoutingRule } from './rules';

/** A category's settings; a category without any is optional and has no caps of its own. */
export interface CategorySettings {
  required: boolean;
  caps: CapRule[];
}

export const OPTIONAL_CATEGORY: CategorySettings = { required: false, caps: [] };

/** Everything the decisions read besides the request and its user. */
export interface RoutingPolicy {
  categories: ReadonlyMap<string, CategorySettings>;
  rules: readonly RoutingRule[];
  defaults: PriorityDefaults;
  caps: readonly CapRule[];
  capPolicies: CapPolicies;
  dedupWindowMs: number;
}

/** A request as the router decides it (its newer fields may be absent). */
export type RoutableRequest = NotificationRequest;

/**
 * What the gate says of a request: `first`, the first with its dedup key in the window; `again`,
 * this very notification seen before (a redelivery, a produce ingest retried), which goes on as it
 * did the first time; `duplicate`, another notification holds the key, and nothing was counted.
 */
export type DedupVerdict = 'first' | 'again' | 'duplicate';

/** What the gate (Redis) is to be asked for this request: its dedup claim, its channels' caps. */
export interface GateAsk {
  dedup: { key: string; windowMs: number } | null;
  channels: { channel: Channel; counters: CapCounter[] }[];
}

/**
 * A request ready for the gate: every channel's decision as far as the user's data and the
 * catalogue go (rules, consent), and whether quiet hours hold it back.
 */
export interface Plan {
  decisions: ChannelDecision[];
  /** The end of the user's quiet hours when they hold this request back (never for critical). */
  quietUntil: number | null;
  /** Rules that chose the channels (empty: the request's own channels, or the default). */
  matchedRules: string[];
  /** The category is required (security, legal): its emails carry no unsubscribe link. */
  categoryRequired: boolean;
  ask: GateAsk;
}

/**
 * Decisions up to the gate, per DESIGN.md §5 and in the order of issue 9: channels (the request's
 * own, else the rules, else the priority's default), consent per channel, quiet hours. A channel
 * chosen by rules or default that the user cannot be reached on is left out unless none can be
 * (a user without a phone is not a `no_address` SMS on every notification); one the request asked
 * for always gets a decision.
 */
export function plan(
  request: RoutableRequest,
  data: Record<string, unknown>,
  recipient: Recipient,
  user: { policy: UserPolicy } | null,
  consent: Consent,
  policy: RoutingPolicy,
  now: number,
): Plan {
  const category = policy.categories.get(request.category) ?? OPTIONAL_CATEGORY;
  const selection =
    request.channels !== null
      ? { channels: request.channels, matched: [] }
      : selectChannels(
          policy.rules,
          { category: request.category, priority: request.priority, tags: request.tags ?? [] },
          policy.defaults,
          now,
        );
  let decisions: ChannelDecision[] = selection.channels.map((channel) => {
    if (!recipient.known) return { channel, kind: 'suppressed', reason: 'unknown_user' };
    const verdict = consentFor(
      channel,
      addressesOn(channel, recipient),
      { id: request.category, ...category },
      consent,
    );
    return verdict.ok
      ? { channel, kind: 'deliver', addresses: verdict.addresses }
      : { channel, kind: 'suppressed', reason: verdict.reason };
  });
  if (request.channels === null && recipient.known) {
    const reachable = decisions.filter((d) => !(d.kind === 'suppressed' && d.reason === 'no_address'));
    if (reachable.length > 0) decisions = reachable;
  }

  const critical = request.priority === 'CRITICAL';
  const delivering = decisions.filter((d) => d.kind === 'deliver').map((d) => d.channel);
  const quiet = !critical && delivering.length > 0 ? quietUntil(user?.policy.quietHours ?? null, now) : null;
  const windowMs = dedupWindowMs(request, policy.dedupWindowMs);
  return {
    decisions,
    quietUntil: quiet,
    matchedRules: selection.matched,
    categoryRequired: category.required,
    ask: {
      dedup: windowMs > 0 ? { key: dedupKeyOf(request, data), windowMs } : null,
      // Critical bypasses caps; a request quiet hours hold back is counted when it comes back.
      channels:
        critical || quiet !== null
          ? []
          : delivering.map((channel) => ({
              channel,
              counters: countersFor(request.userId, channel, request.category, policy.caps, category.caps),
            })),
    },
  };
}

export type Routing =
  | { kind: 'route'; decisions: ChannelDecision[] }
  /** Held back by quiet hours, to be routed when they end. */
  | { kind: 'quiet'; until: number }
  /** Would be due only after it expires. */
  | { kind: 'expired' };

/**
 * The gate's verdicts applied: a duplicate suppresses every channel (and took nothing); quiet hours
 * defer the request, or end it if it expires first; a channel over its cap is suppressed or
 * deferred to when the cap has room, by the priority's policy.
 */
export function settle(
  request: Pick<NotificationRequest, 'priority' | 'expiresAt'>,
  planned: Plan,
  gate: { dedup: DedupVerdict; caps: ReadonlyMap<Channel, CapVerdict> },
  policies: CapPolicies,
): Routing {
  if (gate.dedup === 'duplicate') {
    return {
      kind: 'route',
      decisions: planned.decisions.map((d) => ({
        channel: d.channel,
        kind: 'suppressed',
        reason: 'duplicate',
      })),
    };
  }
  if (planned.quietUntil !== null) {
    return request.expiresAt !== null && request.expiresAt <= planned.quietUntil
      ? { kind: 'expired' }
      : { kind: 'quiet', until: planned.quietUntil };
  }
  const policy = request.priority === 'CRITICAL' ? null : policies[request.priority];
  return {
    kind: 'route',
    decisions: planned.decisions.map((d): ChannelDecision => {
      const cap = gate.caps.get(d.channel);
      if (d.kind !== 'deliver' || !cap || cap.ok || policy === null) return d;
      const expiresFirst = request.expiresAt !== null && request.expiresAt <= cap.freeAt;
      return policy === 'defer' && !expiresFirst
        ? { channel: d.channel, kind: 'deferred', reason: 'rate_limited', until: cap.freeAt }
        : { channel: d.channel, kind: 'suppressed', reason: 'rate_limited' };
    }),
  };
}
