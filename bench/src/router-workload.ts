import type { NotificationRequest, Priority } from '@herald/shared/domain';
import { pick } from './workload';
import type { BenchUser } from './workload';

/**
 * (f)'s workload: a router with every decision active. Users with preferences, unsubscribes and
 * quiet hours; categories with caps of their own; routing rules; requests of which most name no
 * channels (so the rules choose), some repeated (so dedup finds duplicates), many to users already
 * near their caps.
 */

/** What each user asked for, drawn from the seed: shares of the user table. */
export interface UserPolicies {
  /** Opted out of `marketing` by email. */
  optedOut: string[];
  unsubscribed: string[];
  /** Quiet every day from 22:00 to 07:00 in their own zone. */
  quiet: string[];
}

export function drawPolicies(users: readonly BenchUser[], rand: () => number): UserPolicies {
  const out: UserPolicies = { optedOut: [], unsubscribed: [], quiet: [] };
  for (const u of users) {
    if (rand() < 0.2) out.optedOut.push(u.id);
    if (rand() < 0.02) out.unsubscribed.push(u.id);
    if (rand() < 0.1) out.quiet.push(u.id);
  }
  return out;
}

/** Central caps passed to the router (FREQUENCY_CAPS): per user and channel over all categories. */
export const ROUTER_CAPS = 'SMS:3/1h,PUSH:20/1h,EMAIL:50/1d';

/** Categories with settings: required ones, and one with a cap of its own. */
export const CATEGORIES = [
  { id: 'security', required: true, caps: [] },
  { id: 'marketing', required: false, caps: [{ channel: 'EMAIL', limit: 2, windowSeconds: 86_400 }] },
] as const;

/** Rules for requests without channels: specific ones first, then a catch-all per priority. */
export const RULES = [
  {
    id: 'security-everywhere',
    position: 1,
    match: { categories: ['security'] },
    channels: ['EMAIL', 'SMS', 'PUSH'],
    stopProcessing: true,
  },
  {
    id: 'eu-no-sms',
    position: 2,
    match: { tags: ['eu'] },
    channels: ['EMAIL', 'PUSH'],
    stopProcessing: true,
  },
  {
    id: 'weekend-push',
    position: 3,
    match: { window: { timezone: 'Europe/Paris', days: ['sat', 'sun'], start: '00:00', end: '00:00' } },
    channels: ['PUSH'],
    stopProcessing: false,
  },
  {
    id: 'marketing-email',
    position: 4,
    match: { categories: ['marketing'] },
    channels: ['EMAIL'],
    stopProcessing: true,
  },
  {
    id: 'urgent',
    position: 5,
    match: { priorities: ['CRITICAL', 'HIGH'] },
    channels: ['EMAIL', 'SMS', 'PUSH'],
    stopProcessing: true,
  },
  { id: 'default', position: 9, match: {}, channels: ['EMAIL', 'PUSH'], stopProcessing: true },
] as const;

const PRIORITIES: readonly (readonly [Priority, number])[] = [
  ['CRITICAL', 2],
  ['HIGH', 13],
  ['NORMAL', 50],
  ['LOW', 35],
];
const CATEGORY_MIX = [
  ['security', 1],
  ['orders', 4],
  ['social', 3],
  ['marketing', 2],
] as const;

/**
 * `count` requests to random users, a fifth of them to the busiest 1 % (so caps are reached). 70 %
 * name no channels (the rules choose), 30 % name one or two; a fifth carry the `eu` tag; 5 % repeat
 * an earlier request's dedup key for its user (duplicates).
 */
export function planRouterRequests(opts: {
  count: number;
  users: readonly BenchUser[];
  rand: () => number;
  tag: string;
  newId: () => string;
  now: number;
}): NotificationRequest[] {
  const { rand, users } = opts;
  const out: NotificationRequest[] = [];
  for (let i = 0; i < opts.count; i++) {
    const earlier = out.length > 0 && rand() < 0.05 ? out[Math.floor(rand() * out.length)] : undefined;
    // A fifth go to the busiest 1 % of users, who run into their caps.
    const pool = rand() < 0.2 ? Math.max(1, Math.floor(users.length / 100)) : users.length;
    const user = earlier ? undefined : users[Math.floor(rand() * pool)];
    const userId = earlier?.userId ?? user?.id;
    if (!userId) throw new Error('planRouterRequests needs users');
    const named = rand() < 0.3;
    out.push({
      id: opts.newId(),
      userId,
      category: pick(rand, CATEGORY_MIX),
      priority: pick(rand, PRIORITIES),
      templateId: 'generic',
      channels: named ? (rand() < 0.5 ? ['EMAIL'] : ['SMS', 'PUSH']) : null,
      data: JSON.stringify({
        title: 'Your update',
        body: `Something happened. Ref ${opts.tag}-${i.toString(36)}`,
      }),
      dedupKey: earlier?.dedupKey ?? `${opts.tag}-${i}`,
      createdAt: opts.now,
      sendAt: null,
      expiresAt: null,
      to: null,
      locale: null,
      dedupWindowSeconds: null,
      tags: rand() < 0.2 ? ['eu'] : null,
    });
  }
  return out;
}
