import { randomUUID } from 'node:crypto';
import type { DeliveryLedger } from './ledger';

export const PROVIDERS = ['sendgrid', 'twilio', 'fcm'] as const;
export type SandboxProvider = (typeof PROVIDERS)[number];

export const SANDBOX_CHANNELS = ['email', 'sms', 'push'] as const;
export type SandboxChannel = (typeof SANDBOX_CHANNELS)[number];

export const CHANNEL_OF: Readonly<Record<SandboxProvider, SandboxChannel>> = {
  sendgrid: 'email',
  twilio: 'sms',
  fcm: 'push',
};

/** One request a fake provider answered, accepted or not. */
export interface SandboxMessage {
  id: string;
  provider: SandboxProvider;
  channel: SandboxChannel;
  /** Email address, phone number or device token (or topic) the request was addressed to; '' if none. */
  to: string;
  from?: string;
  subject?: string;
  title?: string;
  body: string;
  html?: string;
  data?: Record<string, string>;
  /** What the provider answered as the message id; null when the request was rejected. */
  providerMessageId: string | null;
  /** ISO 8601. */
  receivedAt: string;
  accepted: boolean;
  /** The HTTP status the sandbox answered. */
  status: number;
}

/** What a route knows about a request; the store adds id, channel and time. */
export type MessageInput = Omit<SandboxMessage, 'id' | 'channel' | 'receivedAt'>;

export interface MessageFilter {
  channel?: SandboxChannel;
  provider?: SandboxProvider;
  to?: string;
  accepted?: boolean;
}

export interface MessageStoreOptions {
  /** Oldest messages are dropped beyond this many; 0 keeps none (the ledger still counts them). */
  capacity?: number;
  now?: () => Date;
  /** Told of every message recorded. */
  ledger?: DeliveryLedger;
}

/** In-memory, bounded record of every request the fake providers answered, oldest first. */
export class MessageStore {
  private messages: SandboxMessage[] = [];
  private readonly capacity: number;
  private readonly now: () => Date;
  private readonly ledger: DeliveryLedger | undefined;

  constructor(options: MessageStoreOptions = {}) {
    this.capacity = options.capacity ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.ledger = options.ledger;
  }

  record(input: MessageInput): SandboxMessage {
    const at = this.now();
    const message: SandboxMessage = {
      id: randomUUID(),
      channel: CHANNEL_OF[input.provider],
      receivedAt: at.toISOString(),
      ...input,
    };
    this.ledger?.add(message, at.getTime());
    if (this.capacity === 0) return message;
    this.messages.push(message);
    if (this.messages.length > this.capacity) {
      this.messages.splice(0, this.messages.length - this.capacity);
    }
    return message;
  }

  /** Matching messages, oldest first. */
  list(filter: MessageFilter = {}): SandboxMessage[] {
    return this.messages.filter(
      (m) =>
        (filter.channel === undefined || m.channel === filter.channel) &&
        (filter.provider === undefined || m.provider === filter.provider) &&
        (filter.to === undefined || m.to === filter.to) &&
        (filter.accepted === undefined || m.accepted === filter.accepted),
    );
  }

  get size(): number {
    return this.messages.length;
  }

  clear(): void {
    this.messages = [];
  }
}
