import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Addresses, tokens and auth headers are censored where they appear in a logged object, up to two
 * levels down. This is a safety net: code logs ids and error codes, never addresses.
 */
const SENSITIVE = ['email', 'phone', 'address', 'token', 'deviceTokens', 'to', 'authorization', 'apiKey'];
export const REDACT_PATHS = [
  ...SENSITIVE,
  ...SENSITIVE.map((k) => `*.${k}`),
  ...SENSITIVE.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
];

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
