import type { Channel, NotificationRequest, Priority } from '@herald/shared/domain';

/** The benchmark's data: users and notifications, generated from a seed so runs are comparable. */

export type Lane = 'critical' | 'high' | 'normal' | 'low';
export type ChannelName = 'email' | 'sms' | 'push';
export const LANES: readonly Lane[] = ['critical', 'high', 'normal', 'low'];

/** mulberry32: small, fast and good enough to draw a workload from. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((n, [, w]) => n + w, 0);
  let r = rand() * total;
  for (const [value, w] of weighted) {
    r -= w;
    if (r < 0) return value;
  }
  const last = weighted.at(-1);
  if (!last) throw new Error('pick from an empty list');
  return last[0];
}

export interface BenchUser {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  locale: string;
  timezone: string;
  tokens: string[];
}

const NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Radia', 'Dennis', 'Frances'];
const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Asia/Tokyo',
  'UTC',
  'America/Sao_Paulo',
  'Australia/Sydney',
];

/** Most users have an email, many a phone, some one or two devices; locales fall back to en. */
export function makeUsers(count: number, rand: () => number): BenchUser[] {
  const hex = (len: number) => {
    let s = '';
    while (s.length < len)
      s += Math.floor(rand() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return s.slice(0, len);
  };
  return Array.from({ length: count }, (_, i) => {
    const name = NAMES[i % NAMES.length] ?? 'Ada';
    const devices = rand() < 0.6 ? (rand() < 0.2 ? 2 : 1) : 0;
    return {
      id: `bench-user-${String(i).padStart(6, '0')}`,
      name,
      email: rand() < 0.92 ? `${name.toLowerCase()}.${i}@example.com` : null,
      phone: rand() < 0.7 ? `+4477009${String(i).padStart(5, '0')}` : null,
      locale: pick(rand, [
        ['en', 8],
        ['fr', 1],
        ['de', 1],
      ] as const),
      timezone: ZONES[i % ZONES.length] ?? 'UTC',
      tokens: Array.from({ length: devices }, () => `fcm-${hex(24)}:APA91b${hex(120)}`),
    };
  });
}

export interface Planned {
  index: number;
  userId: string;
  category: string;
  priority: Lane;
  templateId: 'generic' | 'welcome';
  channels: ChannelName[];
  data: Record<string, string>;
  /** Messages the sandbox should receive: one per address on each requested channel. */
  expected: number;
}

const PRIORITY_MIX = [
  ['critical', 2],
  ['high', 13],
  ['normal', 50],
  ['low', 35],
] as const;
const CHANNEL_MIX: readonly (readonly [ChannelName[], number])[] = [
  [['email'], 40],
  [['push'], 25],
  [['sms'], 10],
  [['email', 'push'], 15],
  [['email', 'sms'], 5],
  [['email', 'sms', 'push'], 5],
];

export function expectedDeliveries(user: BenchUser, channels: readonly ChannelName[]): number {
  let n = 0;
  for (const c of channels)
    n += c === 'email' ? (user.email ? 1 : 0) : c === 'sms' ? (user.phone ? 1 : 0) : user.tokens.length;
  return n;
}

/**
 * The reference that ties an SMS back to its notification: Twilio's API carries no id of ours, so
 * the text says it (an order number, a "Ref"), as real messages do. `tag` is unique per phase.
 */
export function refToken(tag: string, index: number): string {
  return `${tag}-${index.toString(36).toUpperCase()}`;
}

/** The notification index of a reference found in a message body, or null. */
export function refIndex(tag: string, text: string): number | null {
  const at = text.indexOf(`${tag}-`);
  if (at < 0) return null;
  const m = /^[0-9A-Z]+/.exec(text.slice(at + tag.length + 1));
  return m ? parseInt(m[0], 36) : null;
}

/** Texts by kind, for the provisioned `generic` template (title and body from the data). */
export function genericData(
  kind: string,
  ref: string,
  name: string,
  rand: () => number,
): Record<string, string> {
  const code = String(100000 + Math.floor(rand() * 900000));
  switch (kind) {
    case 'security':
      return {
        title: 'New sign-in to your account',
        body: `Hi ${name}, we noticed a new sign-in from Firefox on Linux. Not you? Secure your account now. Ref ${ref}`,
      };
    case 'otp':
      return {
        title: 'Your verification code',
        body: `Your Acme code is ${code}. It expires in 10 minutes. Ref ${ref}`,
      };
    case 'orders':
      return {
        title: `Order ${ref} has shipped`,
        body: `Good news, ${name}: order ${ref} is on its way and should arrive by Thursday.`,
      };
    case 'social':
      return {
        title: 'New comments',
        body: `${name}, you have 3 new comments on "Weekend hike". Ref ${ref}`,
      };
    default:
      return {
        title: 'Your weekly picks',
        body: `12 new items picked for you this week, ${name}. Ref ${ref}`,
      };
  }
}

const KINDS: Record<Lane, readonly (readonly [string, number])[]> = {
  critical: [['security', 1]],
  high: [
    ['otp', 2],
    ['security', 1],
  ],
  normal: [
    ['orders', 3],
    ['social', 2],
    ['welcome', 1],
  ],
  low: [
    ['social', 1],
    ['marketing', 2],
  ],
};

/** `count` notifications to random users, in the mix of docs/benchmarks.md; `lane` forces one priority. */
export function planNotifications(opts: {
  count: number;
  users: readonly BenchUser[];
  rand: () => number;
  tag: string;
  lane?: Lane;
  firstIndex?: number;
}): Planned[] {
  const { users, rand } = opts;
  return Array.from({ length: opts.count }, (_, k) => {
    const index = (opts.firstIndex ?? 0) + k;
    const user = users[Math.floor(rand() * users.length)];
    if (!user) throw new Error('planNotifications needs users');
    const priority = opts.lane ?? pick(rand, PRIORITY_MIX);
    const kind = pick(rand, KINDS[priority]);
    let channels = pick(rand, CHANNEL_MIX);
    // Welcome messages go by email and push: its SMS text has no reference to match it by.
    if (kind === 'welcome') channels = channels.filter((c) => c !== 'sms');
    if (channels.length === 0) channels = ['email'];
    const ref = refToken(opts.tag, index);
    const welcome = kind === 'welcome';
    return {
      index,
      userId: user.id,
      category: welcome ? 'account' : kind === 'otp' ? 'security' : kind,
      priority,
      templateId: welcome ? 'welcome' : 'generic',
      channels,
      // `ref` makes each welcome its own notification: the router suppresses the same content to the
      // same user within its dedup window, as it should, and two welcomes to one user are not that.
      data: welcome ? { name: user.name, product: 'Acme', ref } : genericData(kind, ref, user.name, rand),
      expected: expectedDeliveries(user, channels),
    };
  });
}

/** The record a producer writes to `notify.priority.<lane>` (as ingest builds it). */
export function toRequest(p: Planned, id: string, createdAt: number): NotificationRequest {
  return {
    id,
    userId: p.userId,
    category: p.category,
    priority: p.priority.toUpperCase() as Priority,
    templateId: p.templateId,
    channels: p.channels.map((c) => c.toUpperCase() as Channel),
    data: JSON.stringify(p.data),
    dedupKey: null,
    createdAt,
    sendAt: null,
    expiresAt: null,
    to: null,
    locale: null,
  };
}

/** The body of POST /v1/notifications (and of each batch item). */
export function toHttpBody(p: Planned): Record<string, unknown> {
  return {
    userId: p.userId,
    category: p.category,
    priority: p.priority,
    templateId: p.templateId,
    channels: p.channels,
    data: p.data,
  };
}

/** A phase's tag: four capitals, so references of different phases never match each other. */
export function phaseTag(rand: () => number): string {
  return Array.from({ length: 4 }, () => String.fromCharCode(65 + Math.floor(rand() * 26))).join('');
}
