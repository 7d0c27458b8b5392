import type { ErrorCode } from '@herald/shared/domain';

/** What SendGrid answered, as far as deciding what to do next goes. */
export interface SendGridFailure {
  /** HTTP status; undefined when no answer came. */
  status: number | undefined;
  /** No answer because SendGrid could not be reached (refused, reset, timeout), not a local fault. */
  unreachable: boolean;
  /** The `field` of each entry in SendGrid's `{ errors: [...] }` body. */
  fields: readonly (string | null)[];
}

// SendGrid names the bad recipient, e.g. `personalizations.0.to.0.email`.
const RECIPIENT_FIELD = /^personalizations\.\d+\.(to|cc|bcc)(\.\d+\.email)?$/;

/** Maps a SendGrid v3 failure to Herald's error catalog. Total: every input has an answer. */
export function classifySendGridError({ status, fields, unreachable }: SendGridFailure): ErrorCode {
  // Thrown before any request went out or any answer came, without a transport error: our fault.
  if (status === undefined) return unreachable ? 'provider_unavailable' : 'unknown';
  if (status === 408 || status >= 500) return 'provider_unavailable';
  if (status === 429) return 'provider_rate_limited';
  if (status === 401 || status === 403) return 'provider_auth_failed';
  if (status === 400 && fields.some((f) => f !== null && RECIPIENT_FIELD.test(f))) return 'invalid_address';
  return 'provider_rejected';
}
