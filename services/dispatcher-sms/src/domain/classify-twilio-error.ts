import type { ErrorCode } from '@herald/shared/domain';

/** What Twilio answered, as far as deciding what to do next goes. */
export interface TwilioFailure {
  /** HTTP status; undefined when no answer came. */
  status: number | undefined;
  /** No answer because Twilio could not be reached (refused, reset, timeout), not a local fault. */
  unreachable: boolean;
  /** Twilio's error code (https://www.twilio.com/docs/api/errors), when it sent one. */
  code: number | undefined;
}

/** Codes that say this recipient cannot get SMS from us: retrying is pointless, the address may be suppressed. */
const RECIPIENT_CODES: ReadonlySet<number> = new Set([
  21211, // Invalid 'To' phone number
  21217, // Phone number does not appear to be valid
  21401, // Invalid phone number
  21407, // This phone number type does not support SMS
  21610, // Attempt to send to unsubscribed recipient (replied STOP)
  21614, // 'To' number is not a valid mobile number
]);

/** Refusals of this message that say nothing certain about the number: permanent, not suppressed. */
const MESSAGE_CODES: ReadonlySet<number> = new Set([
  21612, // Not currently reachable via SMS: may be our From/To routing, not the number
]);

const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([
  20429, // Too Many Requests
  14107, // SMS send rate limit exceeded
]);

/** Maps a Twilio REST failure to Herald's error catalog. Total: every input has an answer. */
export function classifyTwilioError({ status, code, unreachable }: TwilioFailure): ErrorCode {
  if (code !== undefined && RECIPIENT_CODES.has(code)) return 'invalid_address';
  if (code !== undefined && MESSAGE_CODES.has(code)) return 'provider_rejected';
  if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) return 'provider_rate_limited';
  // Thrown before any request went out or any answer came, without a transport error: our fault.
  if (status === undefined) return unreachable ? 'provider_unavailable' : 'unknown';
  if (status === 408 || status >= 500) return 'provider_unavailable';
  if (status === 401 || status === 403 || code === 20003) return 'provider_auth_failed';
  return 'provider_rejected';
}
