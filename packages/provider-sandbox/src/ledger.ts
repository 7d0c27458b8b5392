import { PROVIDERS } from './store';
import type { SandboxChannel, SandboxMessage, SandboxProvider } from './store';

/** Requests answered per provider: the inbox forgets old messages, these counts do not. */
export type DeliveryCounts = Record<SandboxProvider, { accepted: number; rejected: number }>;

/** Accepted deliveries from a cursor on, as parallel arrays (one JSON array each, not one object per message). */
export interface DeliveryPage {
  /** Cursor of the first entry returned; pass `next` to get what came after. */
  from: number;
  next: number;
  /** Entries recorded since start or the last clear. */
  total: number;
  counts: DeliveryCounts;
  /** When the sandbox accepted each message (epoch milliseconds, after any injected latency). */
  at: number[];
  channel: SandboxChannel[];
  /**
   * The notification id the request carried (SendGrid custom_args, FCM data, the SMTP
   * `X-Herald-Notification-Id` header), else the message body.
   */
  ref: string[];
}

/** The header Herald's SMTP sender names the notification in; header names are case-insensitive. */
const NOTIFICATION_ID_HEADER = 'x-herald-notification-id';

type Entry = Pick<SandboxMessage, 'provider' | 'channel' | 'accepted' | 'data' | 'headers' | 'body'>;

function reference(message: Entry): string {
  const fromHeader = Object.entries(message.headers ?? {}).find(
    ([name]) => name.toLowerCase() === NOTIFICATION_ID_HEADER,
  )?.[1];
  return message.data?.notificationId ?? fromHeader ?? message.body;
}

function zeroCounts(): DeliveryCounts {
  return Object.fromEntries(PROVIDERS.map((p) => [p, { accepted: 0, rejected: 0 }])) as DeliveryCounts;
}

/**
 * What a load test needs of the sandbox, at a few bytes per message: counts per provider, and with
 * `keepEntries` the time, channel and reference of every accepted message, read page by page. The
 * entries grow with the run, so they are kept only when asked for (the benchmark's sandbox).
 */
export class DeliveryLedger {
  private counts = zeroCounts();
  private at: number[] = [];
  private channel: SandboxChannel[] = [];
  private ref: string[] = [];

  constructor(private readonly keepEntries = false) {}

  add(message: Entry, at: number): void {
    const count = this.counts[message.provider];
    if (!message.accepted) {
      count.rejected++;
      return;
    }
    count.accepted++;
    if (!this.keepEntries) return;
    this.at.push(at);
    this.channel.push(message.channel);
    this.ref.push(reference(message));
  }

  page(after = 0, limit = 50_000): DeliveryPage {
    const from = Math.min(Math.max(0, after), this.at.length);
    const to = Math.min(this.at.length, from + Math.max(0, limit));
    return {
      from,
      next: to,
      total: this.at.length,
      counts: structuredClone(this.counts),
      at: this.at.slice(from, to),
      channel: this.channel.slice(from, to),
      ref: this.ref.slice(from, to),
    };
  }

  clear(): void {
    this.counts = zeroCounts();
    this.at = [];
    this.channel = [];
    this.ref = [];
  }
}
