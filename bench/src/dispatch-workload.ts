import type { ChannelMessage } from '@herald/shared/domain';
import { genericData, pick, refToken } from './workload';
import type { Planned } from './workload';

/** (g)'s messages: rendered ChannelMessages, as the router writes them, for one dispatcher. */

export type DispatchChannel = 'SMS' | 'EMAIL';

/** A planned message: what the delivery tracker expects (one delivery), and what it renders to. */
export interface PlannedMessage extends Planned {
  address: string;
  subject: string | null;
  body: string;
  unsubscribable: boolean;
}

/** Kinds of the `normal` lane (workload.ts texts); security is a required category, never unsubscribable. */
const KINDS = [
  ['orders', 3],
  ['social', 2],
  ['security', 1],
  ['marketing', 1],
] as const;

const NAMES = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Radia', 'Dennis', 'Frances'];

/** User `i`'s address on the channel: one the sandbox accepts (makeUsers draws the same shapes). */
export function dispatchAddress(channel: DispatchChannel, i: number): string {
  const name = (NAMES[i % NAMES.length] ?? 'Ada').toLowerCase();
  return channel === 'SMS' ? `+4477009${String(i).padStart(5, '0')}` : `${name}.${i}@example.com`;
}

/**
 * `count` messages on one channel to `users` users drawn at random (so their keys spread over every
 * partition), each text carrying its reference: the SMS body says it, as the router renders the
 * `generic` template (email: subject = title, text = body, no HTML).
 */
export function planDispatch(opts: {
  count: number;
  channel: DispatchChannel;
  users: number;
  rand: () => number;
  tag: string;
}): PlannedMessage[] {
  const { rand } = opts;
  return Array.from({ length: opts.count }, (_, index) => {
    const user = Math.floor(rand() * opts.users);
    const name = NAMES[user % NAMES.length] ?? 'Ada';
    const kind = pick(rand, KINDS);
    const data = genericData(kind, refToken(opts.tag, index), name, rand);
    const email = opts.channel === 'EMAIL';
    return {
      index,
      userId: `bench-user-${String(user).padStart(6, '0')}`,
      category: kind,
      priority: 'normal',
      templateId: 'generic',
      channels: [email ? 'email' : 'sms'],
      data,
      expected: 1,
      address: dispatchAddress(opts.channel, user),
      subject: email ? (data.title ?? null) : null,
      body: data.body ?? '',
      unsubscribable: email && kind !== 'security',
    };
  });
}

/** The record written to `notify.channel.<channel>.normal`. */
export function toChannelMessage(
  p: PlannedMessage,
  channel: DispatchChannel,
  id: string,
  createdAt: number,
): ChannelMessage {
  return {
    notificationId: id,
    userId: p.userId,
    category: p.category,
    channel,
    priority: 'NORMAL',
    address: p.address,
    subject: p.subject,
    title: null,
    body: p.body,
    html: null,
    data: JSON.stringify({ notificationId: id, category: p.category }),
    locale: 'en',
    createdAt,
    expiresAt: null,
    unsubscribable: p.unsubscribable,
  };
}
