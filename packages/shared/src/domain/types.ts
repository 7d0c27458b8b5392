/** Domain types shared by every service. Avro schemas in ../kafka/schemas.ts mirror these. */

export const PRIORITIES = ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CHANNELS = ['EMAIL', 'SMS', 'PUSH'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Steps of a notification's timeline. New ones go at the end (Avro enum symbols: readers of the
 * newer schema read older events). `RETRYING`: a retry is scheduled (attempt, error, next due time);
 * `DEFERRED`: held until a later time (`sendAt`); `REPLAYED` / `DISCARDED`: an operator's decision
 * on a dead letter.
 */
export const STATUSES = [
  'ACCEPTED',
  'ROUTED',
  'SENT',
  'FAILED',
  'SUPPRESSED',
  'EXPIRED',
  'PARKED',
  'RETRYING',
  'DEFERRED',
  'REPLAYED',
  'DISCARDED',
  // From the providers' delivery callbacks (issue 10), after SENT.
  'DELIVERED',
  'BOUNCED',
  'UNDELIVERED',
] as const;
export type Status = (typeof STATUSES)[number];

/** Addresses given with the request, for recipients Herald does not store. */
export interface DirectAddresses {
  email: string | null;
  phone: string | null;
  deviceTokens: string[] | null;
}

/** `herald.v1.NotificationRequest`: what producers write to `notify.priority.<lane>`. */
export interface NotificationRequest {
  id: string;
  userId: string;
  category: string;
  priority: Priority;
  templateId: string | null;
  channels: Channel[] | null;
  /** A JSON object of template variables, as a string. */
  data: string;
  dedupKey: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  sendAt: number | null;
  expiresAt: number | null;
  to: DirectAddresses | null;
  locale: string | null;
  /** The dedup window for this request (0: no dedup); null or absent: the router's default. */
  dedupWindowSeconds?: number | null;
  /** Labels routing rules can match on (`eu`, `beta`); absent from older producers' records. */
  tags?: string[] | null;
  /** Push: how long FCM and APNs keep the message for an offline device (issue 10). */
  pushTtlSeconds?: number | null;
  /** Push: messages with the same key replace each other on a device that was offline. */
  pushCollapseKey?: string | null;
}

/** `herald.v1.ChannelMessage`: one rendered message for one address on one channel. */
export interface ChannelMessage {
  notificationId: string;
  userId: string;
  category: string;
  channel: Channel;
  priority: Priority;
  /** Email address, E.164 phone number or device token. */
  address: string;
  subject: string | null;
  title: string | null;
  body: string;
  html: string | null;
  /** JSON object of string values, passed to push as its data payload. */
  data: string;
  locale: string | null;
  createdAt: number;
  expiresAt: number | null;
  // Newer fields (issue 10), absent from older records: null, or false.
  /** Email: the template's sender and reply-to, instead of the dispatcher's default sender. */
  fromEmail?: string | null;
  fromName?: string | null;
  replyTo?: string | null;
  /** Email: the category is not required, so the message carries a one-click unsubscribe (RFC 8058). */
  unsubscribable?: boolean;
  /** Push: TTL and collapse key from the request. */
  ttlSeconds?: number | null;
  collapseKey?: string | null;
  /**
   * When the message fell due, if later than `createdAt`: the request's `sendAt` (scheduled by the
   * producer, or deferred by quiet hours or a cap). End-to-end latency counts from the later of the
   * two, so a wait asked for is not counted as delay. Absent from older records: null.
   */
  dueAt?: number | null;
}

/** `herald.v1.StatusEvent`: one step of a notification's timeline. */
export interface StatusEvent {
  /** Unique per event, so a redelivered event is projected once. */
  eventId: string;
  notificationId: string;
  status: Status;
  /** null when the event is about the whole notification (accepted, routed). */
  channel: Channel | null;
  at: number;
  service: string;
  providerMessageId: string | null;
  reason: string | null;
  /** JSON object with event-specific detail (routing decisions, notification summary). */
  detail: string | null;
}
