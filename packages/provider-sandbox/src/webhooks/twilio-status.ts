import { createHmac } from 'node:crypto';
import type { SandboxMessage, TwilioCredentials } from '../store';

/** Twilio's message status callbacks (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status). */

export const TWILIO_STATUSES = ['queued', 'sent', 'delivered', 'undelivered', 'failed'] as const;
export type TwilioStatus = (typeof TWILIO_STATUSES)[number];

/** The statuses Twilio gives an `ErrorCode` with. */
export const TWILIO_STATUSES_WITH_ERROR: readonly TwilioStatus[] = ['undelivered', 'failed'];

/** What `POST /api/webhooks/twilio` asks for: one status callback for one message. */
export interface TwilioStatusRequest {
  /** The `SM…` sid the sandbox answered the message with. */
  providerMessageId: string;
  status: TwilioStatus;
  /** Twilio's error code, e.g. `30003` (unreachable handset); with `undelivered` or `failed`. */
  errorCode?: string;
}

/**
 * The form Twilio posts to the message's `StatusCallback`. A message sent through a messaging
 * service names it instead of a `From` number (the sandbox does not pick one).
 */
export function twilioStatusForm(
  message: SandboxMessage,
  credentials: TwilioCredentials,
  request: TwilioStatusRequest,
): Record<string, string> {
  const sender = message.from ?? '';
  return {
    MessageSid: request.providerMessageId,
    SmsSid: request.providerMessageId,
    MessageStatus: request.status,
    SmsStatus: request.status,
    To: message.to,
    ...(sender.startsWith('MG') ? { MessagingServiceSid: sender } : { From: sender }),
    AccountSid: credentials.accountSid,
    ApiVersion: '2010-04-01',
    ...(request.errorCode === undefined ? {} : { ErrorCode: request.errorCode }),
  };
}

/**
 * `X-Twilio-Signature` (https://www.twilio.com/docs/usage/security#validating-requests): base64
 * HMAC-SHA1, keyed with the auth token, of the full URL followed by every field's name and value,
 * fields sorted by name.
 */
export function twilioSignature(authToken: string, url: string, fields: Record<string, string>): string {
  const data = Object.keys(fields)
    .sort()
    .reduce((acc, name) => acc + name + (fields[name] ?? ''), url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
