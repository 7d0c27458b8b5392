import pino from 'pino';
import { SENSITIVE_KEYS } from './domain/redaction';

export type Logger = pino.Logger;

/**
 * Addresses, tokens and auth headers are censored where they appear in a logged object, up to two
 * levels down. This is a safety net: code logs ids and error codes, never addresses.
 */
export const REDACT_PATHS = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((k) => `*.${k}`),
  ...SENSITIVE_KEYS.map((k) => `*.*.${k}`),
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
