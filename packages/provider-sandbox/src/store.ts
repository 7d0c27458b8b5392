import { randomUUID } from 'node:crypto';
import type { DeliveryLedger } from './ledger';

export const PROVIDERS = ['sendgrid', 'twilio', 'fcm', 'smtp'] as const;
export type SandboxProvider = (typeof PROVIDERS)[number];

export const SANDBOX_CHANNELS = ['email', 'sms', 'push'] as const;
export type SandboxChannel = (typeof SANDBOX_CHANNELS)[number];

export const CHANNEL_OF: Readonly<Record<SandboxProvider, SandboxChannel>> = {
  sendgrid: 'email',
  twilio: 'sms',
  fcm: 'push',
  smtp: 'email',
};

/**
 * FCM HTTP v1 `message.android` as received
 * (https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages#androidconfig).
 */
export interface FcmAndroidConfig {
  /** `NORMAL` or `HIGH` (firebase-admin sends `normal` or `high`). */
  priority?: string;
  /** A protobuf Duration as JSON: seconds with an `s`, e.g. `"600s"` or `"1.500000000s"`. */
  ttl?: string;
  collapse_key?: string;
  [field: string]: unknown;
}

/** FCM HTTP v1 `message.apns` as received (https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages#apnsconfig). */
export interface FcmApnsConfig {
  /** APNs request headers: `apns-priority`, `apns-expiration`, `apns-collapse-id`… */
  headers?: Record<string, string>;
  [field: string]: unknown;
}

/** One request a fake provider answered, accepted or not. */
export interface SandboxMessage {
  id: string;
  provider: SandboxProvider;
  channel: SandboxChannel;
  /**
   * Email address (SMTP: one `RCPT TO`), phone number or device token (or topic) the request was
   * addressed to; '' if none.
   */
  to: string;
  /** SendGrid `from.email`; SMTP `From` header, else `MAIL FROM`; Twilio `From`, else `MessagingServiceSid`. */
  from?: string;
  /** SendGrid `from.name`; the SMTP `From` header's display name. */
  fromName?: string;
  /** SendGrid `reply_to.email`; the SMTP `Reply-To` header's address. */
  replyTo?: string;
  subject?: string;
  title?: string;
  body: string;
  html?: string;
  /**
   * SendGrid `custom_args` (the mail's, overridden by the recipient's personalization's); FCM
   * `message.data`. Values as strings.
   */
  data?: Record<string, string>;
  /**
   * SendGrid `headers` (the mail's, overridden by the recipient's personalization's), e.g.
   * `List-Unsubscribe`; for SMTP the message's headers but those with a field of their own or about
   * its MIME structure (From, To, Subject, Message-ID, Content-Type…), unfolded, by their name as sent.
   */
  headers?: Record<string, string>;
  /** SendGrid `categories`. */
  categories?: string[];
  /** Twilio `StatusCallback`: where the sandbox posts the message's status (`POST /api/webhooks/twilio`). */
  statusCallback?: string;
  /** FCM `message.android`, as received. */
  android?: FcmAndroidConfig;
  /** FCM `message.apns`, as received. */
  apns?: FcmApnsConfig;
  /**
   * What the provider answered as the message id (SMTP: the `Message-ID` header, with its angle
   * brackets, as nodemailer reports it); null when the request was rejected.
   */
  providerMessageId: string | null;
  /** ISO 8601 in UTC with milliseconds (`2030-01-02T03:04:05.678Z`). */
  receivedAt: string;
  accepted: boolean;
  /** The HTTP status the sandbox answered; for SMTP its reply code (250, or e.g. 550 at RCPT TO). */
  status: number;
}

/** What a route knows about a request; the store adds id, channel and time. */
export type MessageInput = Omit<SandboxMessage, 'id' | 'channel' | 'receivedAt'>;

/**
 * What authenticated a Twilio request (the account in the path, the Basic auth password): kept to
 * sign the message's status callbacks as Twilio does, never listed.
 */
export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

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
  // Weak: a message the inbox drops takes its credentials with it.
  private readonly credentials = new WeakMap<SandboxMessage, TwilioCredentials>();

  constructor(options: MessageStoreOptions = {}) {
    this.capacity = options.capacity ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.ledger = options.ledger;
  }

  /** Records a message; `credentials` (Twilio) are kept beside it, out of every listing. */
  record(input: MessageInput, credentials?: TwilioCredentials): SandboxMessage {
    const at = this.now();
    const message: SandboxMessage = {
      id: randomUUID(),
      channel: CHANNEL_OF[input.provider],
      receivedAt: at.toISOString(),
      ...input,
    };
    this.ledger?.add(message, at.getTime());
    if (this.capacity === 0) return message;
    if (credentials) this.credentials.set(message, { ...credentials });
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

  /** The messages the provider answered with this id (one per recipient for SendGrid and SMTP), oldest first. */
  byProviderMessageId(providerMessageId: string): SandboxMessage[] {
    return this.messages.filter((m) => m.providerMessageId === providerMessageId);
  }

  /** The credentials that authenticated a recorded Twilio message, if it is still held. */
  twilioCredentials(message: SandboxMessage): TwilioCredentials | undefined {
    return this.credentials.get(message);
  }

  /**
   * The most matching messages, accepted or not, received within any 1000 ms (a sliding window,
   * [t, t + 1000 ms)): the peak rate a provider saw. Counts what the inbox still holds (`capacity`),
   * one message per recipient.
   */
  maxPerSecond(filter: MessageFilter = {}): number {
    const times = this.list(filter)
      .map((m) => Date.parse(m.receivedAt))
      .sort((a, b) => a - b);
    let max = 0;
    let start = 0;
    times.forEach((t, end) => {
      while ((times[start] ?? t) <= t - 1000) start++;
      max = Math.max(max, end - start + 1);
    });
    return max;
  }

  get size(): number {
    return this.messages.length;
  }

  clear(): void {
    this.messages = [];
  }
}
