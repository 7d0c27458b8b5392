import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Personal data never reaches the logs: addresses, tokens and auth headers are censored wherever
 * they appear in a logged object, at the top level or one level down.
 */
const SENSITIVE = ['email', 'phone', 'address', 'token', 'deviceTokens', 'to', 'authorization', 'apiKey'];
export const REDACT_PATHS = [
  ...SENSITIVE,
  ...SENSITIVE.map((k) => `*.${k}`),
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
