import { randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SandboxMessage } from '../store';

/** SendGrid's Event Webhook (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event). */

export const SENDGRID_EVENTS = ['delivered', 'bounce', 'dropped', 'spamreport', 'deferred', 'open'] as const;
export type SendGridEventName = (typeof SENDGRID_EVENTS)[number];

export const SENDGRID_BOUNCE_TYPES = ['bounce', 'blocked'] as const;
export type SendGridBounceType = (typeof SENDGRID_BOUNCE_TYPES)[number];

/** What `POST /api/webhooks/sendgrid` asks for: one event for every recipient of a mail. */
export interface SendGridEventRequest {
  /** The `X-Message-Id` the sandbox answered the mail with. */
  providerMessageId: string;
  event: SendGridEventName;
  /** Bounces only: `bounce` (the default, a hard bounce) or `blocked`. */
  type?: SendGridBounceType;
  /** The receiving server's answer: `reason` of a bounce or drop, `response` of a delivery or deferral. */
  reason?: string;
  /** Where to post the events; else the sandbox's `sendgridWebhookUrl`. */
  url?: string;
}

export type SendGridEvent = Record<string, unknown>;

// Documentation addresses (RFC 5737) and a plain browser: the sandbox's events come from nowhere real.
const SENDING_IP = '192.0.2.25';
const READER_IP = '198.51.100.7';
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)';

const DEFAULT_REASON = {
  delivered: '250 OK',
  deferred: '400 try again later',
  bounce: '550 5.1.1 The email account that you tried to reach does not exist.',
  blocked: '550 5.7.1 Message rejected due to content restrictions',
  dropped: 'Bounced Address',
} as const;

/** The events a `reason` means something for. */
export const SENDGRID_EVENTS_WITH_REASON: readonly SendGridEventName[] = [
  'delivered',
  'deferred',
  'bounce',
  'dropped',
];

/** The enhanced status code (RFC 3463) a server answer carries, else SendGrid's generic one. */
function enhancedStatus(reason: string): string {
  return /\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(reason)?.[0] ?? '5.0.0';
}

/** What each kind of event adds to the common fields. */
function eventDetails(request: SendGridEventRequest): SendGridEvent {
  switch (request.event) {
    case 'delivered':
      return { response: request.reason ?? DEFAULT_REASON.delivered, ip: SENDING_IP, tls: 1 };
    case 'deferred':
      return { response: request.reason ?? DEFAULT_REASON.deferred, attempt: '1', ip: SENDING_IP, tls: 1 };
    case 'bounce': {
      const type = request.type ?? 'bounce';
      const reason = request.reason ?? DEFAULT_REASON[type];
      return { type, reason, status: enhancedStatus(reason), ip: SENDING_IP, tls: 1 };
    }
    case 'dropped':
      return { reason: request.reason ?? DEFAULT_REASON.dropped, status: '5.0.0' };
    case 'spamreport':
      return {};
    case 'open':
      return { useragent: USER_AGENT, ip: READER_IP, sg_machine_open: false };
  }
}

/**
 * The recipient's message id: the mail's `X-Message-Id`, then a suffix SendGrid's filter adds per
 * recipient. Derived from the record, so every event about one recipient carries the same one.
 */
function sgMessageId(providerMessageId: string, message: SandboxMessage): string {
  const hex = message.id.replace(/-/g, '');
  return `${providerMessageId}.filter0001.${parseInt(hex.slice(0, 4), 16)}.${hex.slice(20).toUpperCase()}.0`;
}

/**
 * One event per recipient of the mail. The mail's custom args ride along as top-level fields, as
 * SendGrid delivers them; one named like an event field does not replace it.
 */
export function sendGridEvents(
  messages: readonly SandboxMessage[],
  request: SendGridEventRequest,
  nowMs: number,
): SendGridEvent[] {
  return messages.map((message) => {
    const fields: SendGridEvent = {
      email: message.to,
      timestamp: Math.floor(nowMs / 1000),
      'smtp-id': `<${request.providerMessageId}@ismtpd0001p1sjc2.sendgrid.net>`,
      event: request.event,
      ...(message.categories === undefined ? {} : { category: [...message.categories] }),
      sg_event_id: randomBytes(16).toString('base64url').slice(0, 22),
      sg_message_id: sgMessageId(request.providerMessageId, message),
      ...eventDetails(request),
    };
    const customArgs = Object.entries(message.data ?? {}).filter(([name]) => !(name in fields));
    return { ...fields, ...Object.fromEntries(customArgs) };
  });
}

/**
 * SendGrid's Signed Event Webhook: ECDSA P-256 with SHA-256 over the timestamp header followed by
 * the exact body, DER-encoded, base64.
 */
export function signSendGridPayload(key: KeyObject, timestamp: string, payload: string): string {
  const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), Buffer.from(payload, 'utf8')]);
  return sign('sha256', signed, { key, dsaEncoding: 'der' }).toString('base64');
}
