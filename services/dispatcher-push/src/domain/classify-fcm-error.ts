import type { ErrorCode } from '@herald/shared/domain';

/**
 * What firebase-admin reported. The SDK does not expose the HTTP status: it turns FCM's answer
 * (`error.details[].errorCode`, else `error.status`) into its own `messaging/...` code, and network
 * failures into `app/network-error` / `app/network-timeout`. So that code is what we classify.
 */
export interface FcmFailure {
  /** The SDK error's `code`, e.g. `messaging/registration-token-not-registered`; undefined if it had none. */
  code: string | undefined;
  /** The SDK error's message; only searched for whether it is about the token, never copied. */
  message: string | undefined;
}

const BY_CODE: Readonly<Record<string, ErrorCode>> = {
  // UNREGISTERED (404) and the legacy NotRegistered
  'messaging/registration-token-not-registered': 'unregistered_token',
  'messaging/invalid-registration-token': 'invalid_address',
  'messaging/invalid-recipient': 'invalid_address',
  // QUOTA_EXCEEDED / RESOURCE_EXHAUSTED (429)
  'messaging/message-rate-exceeded': 'provider_rate_limited',
  // One device gets too many: that device's problem, retried later, never held against FCM.
  'messaging/device-message-rate-exceeded': 'recipient_rate_limited',
  'messaging/topics-message-rate-exceeded': 'provider_rate_limited',
  // UNAVAILABLE (503), INTERNAL (500), and answers the SDK could not interpret
  'messaging/server-unavailable': 'provider_unavailable',
  'messaging/internal-error': 'provider_unavailable',
  'messaging/unknown-error': 'provider_unavailable',
  'app/network-error': 'provider_unavailable',
  'app/network-timeout': 'provider_unavailable',
  // Fetching an access token failed: usually the network to Google's token endpoint.
  'app/invalid-credential': 'provider_unavailable',
  // UNAUTHENTICATED (401; the SDK reports it as a third-party auth error), PERMISSION_DENIED /
  // SENDER_ID_MISMATCH (403): our credentials, to be fixed by an operator and retried
  'messaging/third-party-auth-error': 'provider_auth_failed',
  'messaging/authentication-error': 'provider_auth_failed',
  // SENDER_ID_MISMATCH: the token belongs to another Firebase project; it will never take ours.
  'messaging/mismatched-credential': 'invalid_address',
  // Payloads FCM refuses
  'messaging/invalid-package-name': 'provider_rejected',
  'messaging/invalid-payload': 'provider_rejected',
  'messaging/invalid-data-payload-key': 'provider_rejected',
  'messaging/payload-size-limit-exceeded': 'provider_rejected',
  'messaging/invalid-options': 'provider_rejected',
};

/**
 * Maps a firebase-admin send failure to Herald's error catalog. Total: a code the SDK gave that is
 * not listed is an FCM answer we do not know yet (transient, counted against FCM); an error without
 * an SDK code (`messaging/…` or `app/…`) did not come from FCM or the network to it but from our
 * side (a TypeError, say): `unknown`, retried, never counted against FCM.
 */
export function classifyFcmError({ code, message }: FcmFailure): ErrorCode {
  if (code === undefined || !/^(messaging|app)\//.test(code)) return 'unknown';
  // INVALID_ARGUMENT (400) covers both a malformed token and a malformed payload; only the former
  // says the address is bad. FCM says "The registration token is not a valid FCM registration token".
  if (code === 'messaging/invalid-argument') {
    return /token/i.test(message ?? '') ? 'invalid_address' : 'provider_rejected';
  }
  return BY_CODE[code] ?? 'provider_unavailable';
}
