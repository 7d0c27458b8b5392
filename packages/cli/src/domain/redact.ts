/**
 * Personal data in what the CLI prints, as Herald's logs treat it: values under the keys the logs
 * censor (shared's SENSITIVE_KEYS) are censored, and so are email addresses and E.164 phone numbers
 * found inside any text (template data, rendered bodies, error messages, a userId that is an
 * email). `--show-personal-data` turns this off.
 */
import { SENSITIVE_KEYS } from '@herald/shared/domain';

export const REDACTED = '[redacted]';

/**
 * The logs' list, plus `tokens`: FCM's multicast messages carry device tokens under that key, and
 * the CLI prints whole payloads (dead letters, records) where the logs print ids.
 */
const CENSORED_KEYS = new Set([...SENSITIVE_KEYS, 'tokens']);
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const PHONE = /\+[1-9]\d{6,14}\b/g;

export function redactText(text: string): string {
  return text.replace(EMAIL, REDACTED).replace(PHONE, REDACTED);
}

function censor(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(censor);
  if (typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, censor(v)]));
  }
  return REDACTED;
}

/**
 * A copy of the value with personal data censored; the value itself is not changed. `byKey: false`
 * censors only what the text patterns find, for documents whose keys are not addresses (a
 * timeline's `channels.email` is a channel, not an address).
 */
export function redact<T>(value: T, opts: { byKey?: boolean } = {}): T {
  const byKey = opts.byKey ?? true;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
      return Object.fromEntries(
        Object.entries(v).map(([k, inner]) => [
          k,
          byKey && CENSORED_KEYS.has(k) ? censor(inner) : walk(inner),
        ]),
      );
    }
    return v;
  };
  return walk(value) as T;
}
