import type { SandboxProvider } from '../store';
import { FCM_ERROR_CODES, fcmErrorStatus } from './fcm';
import { SENDGRID_ERROR_CODES, sendGridErrorStatus } from './sendgrid';
import { SMTP_ERROR_CODES, smtpErrorStatus } from './smtp';
import { TWILIO_ERROR_CODES, twilioErrorStatus } from './twilio';

/** The generic failures a fault can ask for by status; each provider answers its own error for them. */
export const FAULT_STATUSES = [429, 500, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

/** Every error a fault can name by `code`, per provider. */
export const PROVIDER_ERROR_CODES: Readonly<Record<SandboxProvider, readonly string[]>> = {
  sendgrid: SENDGRID_ERROR_CODES,
  twilio: TWILIO_ERROR_CODES,
  fcm: FCM_ERROR_CODES,
  smtp: SMTP_ERROR_CODES,
};

/**
 * The catalog error each provider answers for a generic fault status. SMTP has no HTTP statuses:
 * a rate limit is 452 (at MAIL FROM), an internal error 451 (after DATA), unavailability 421.
 */
export const GENERIC_ERROR_CODES: Readonly<Record<SandboxProvider, Readonly<Record<FaultStatus, string>>>> = {
  sendgrid: { 429: 'rate_limited', 500: 'internal', 503: 'unavailable' },
  twilio: { 429: '20429', 500: '20500', 503: '20503' },
  fcm: { 429: 'QUOTA_EXCEEDED', 500: 'INTERNAL', 503: 'UNAVAILABLE' },
  smtp: { 429: '452', 500: '451', 503: '421' },
};

const STATUS_OF: Readonly<Record<SandboxProvider, (code: string) => number | undefined>> = {
  sendgrid: sendGridErrorStatus,
  twilio: twilioErrorStatus,
  fcm: fcmErrorStatus,
  smtp: smtpErrorStatus,
};

/**
 * The HTTP status of a provider's catalog error (for SMTP, its reply code); undefined when the
 * provider has no such error.
 */
export function providerErrorStatus(provider: SandboxProvider, code: string): number | undefined {
  return STATUS_OF[provider](code);
}
