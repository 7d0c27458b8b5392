/**
 * Keys whose values are personal data or secrets (addresses, device tokens, API keys, auth
 * headers): Herald's logs censor them, and so does every tool that prints Herald's records.
 */
export const SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'email',
  'phone',
  'address',
  'token',
  'deviceTokens',
  'to',
  'authorization',
  'apiKey',
]);
