import { CHANNELS } from '@herald/shared/domain';
import type { Channel, Priority } from '@herald/shared/domain';
import { quietUntil } from './quiet-hours';
import type { Weekday } from './quiet-hours';

/**
 * A routing rule: for requests that name no channels, which channels to use. Rules are evaluated
 * in `position` order (then id); every rule that matches adds its channels, and one with
 * `stopProcessing` ends the evaluation, so a specific rule placed first can have the last word.
 */
export interface RoutingRule {
  id: string;
  position: number;
  enabled: boolean;
  match: RuleMatch;
  channels: readonly Channel[];
  stopProcessing: boolean;
}

/** Every condition given must hold; an empty match matches every request. */
export interface RuleMatch {
  /** The request's category is one of these. */
  categories?: readonly string[];
  /** The request's priority is one of these. */
  priorities?: readonly Priority[];
  /** The request carries every one of these tags. */
  tags?: readonly string[];
  /** The time of the request falls in this window, in the rule's own zone. */
  window?: { timezone: string; days: readonly Weekday[]; start: string; end: string };
}

export interface RuleSubject {
  category: string;
  priority: Priority;
  tags: readonly string[];
}

/** The channels used when no rule matches, by priority (ROUTING_DEFAULT_<PRIORITY>). */
export type PriorityDefaults = Readonly<Record<Priority, readonly Channel[]>>;

/**
 * Every channel for every priority, of which the router keeps those the user can be reached on
 * (as before rules existed); an operator narrows them (ROUTING_DEFAULT_LOW=email,push, say).
 */
export const DEFAULT_CHANNELS: PriorityDefaults = {
  CRITICAL: CHANNELS,
  HIGH: CHANNELS,
  NORMAL: CHANNELS,
  LOW: CHANNELS,
};

export function ruleMatches(match: RuleMatch, subject: RuleSubject, now: number): boolean {
  if (match.categories && !match.categories.includes(subject.category)) return false;
  if (match.priorities && !match.priorities.includes(subject.priority)) return false;
  if (match.tags && !match.tags.every((t) => subject.tags.includes(t))) return false;
  if (match.window) {
    const { timezone, days, start, end } = match.window;
    if (quietUntil({ timezone, rules: [{ days, start, end }] }, now) === null) return false;
  }
  return true;
}

export interface ChannelSelection {
  channels: Channel[];
  /** The rules that matched, in the order applied; empty when the priority's default was used. */
  matched: string[];
}

/** The channels for a request without channels of its own: its matching rules, or the default. */
export function selectChannels(
  rules: readonly RoutingRule[],
  subject: RuleSubject,
  defaults: PriorityDefaults,
  now: number,
): ChannelSelection {
  const ordered = rules
    .filter((r) => r.enabled)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const chosen = new Set<Channel>();
  const matched: string[] = [];
  for (const rule of ordered) {
    if (!ruleMatches(rule.match, subject, now)) continue;
    matched.push(rule.id);
    for (const c of rule.channels) chosen.add(c);
    if (rule.stopProcessing) break;
  }
  if (matched.length === 0) return { channels: [...defaults[subject.priority]], matched };
  // In the catalogue's order, whatever order the rules named them in.
  return { channels: CHANNELS.filter((c) => chosen.has(c)), matched };
}
