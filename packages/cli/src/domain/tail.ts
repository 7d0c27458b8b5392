import { redact, redactText } from './redact';
import { usageError } from './errors';

/** A record as read, its value decoded through the registry (or why it could not be). */
export interface ShownRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  value: unknown;
  /** Set when the value is not a registry record: the reason, and the value is base64. */
  undecodable?: string;
}

/**
 * A topic as the operator names it: `notify.status`, `status`, `priority.high`, or the full name
 * with the deployment's prefix. Short names get `notify.` and the prefix.
 */
export function resolveTopic(name: string, prefix: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw usageError('a topic name is required, e.g. notify.status');
  if (prefix && trimmed.startsWith(prefix)) return trimmed;
  return `${prefix}${trimmed.startsWith('notify.') ? trimmed : `notify.${trimmed}`}`;
}

/** JSON that takes what Avro decoding yields: bigints as numbers' text, bytes as base64. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (
        v &&
        typeof v === 'object' &&
        (v as { type?: unknown }).type === 'Buffer' &&
        Array.isArray((v as { data?: unknown }).data)
      ) {
        return Buffer.from((v as { data: number[] }).data).toString('base64');
      }
      return v;
    },
    indent,
  );
}

/**
 * One line per record: where it is, its key, then the decoded value as JSON; with `json`, the
 * whole record as one JSON object. Personal data is redacted unless `showPersonalData`.
 */
export function formatRecord(r: ShownRecord, opts: { json: boolean; showPersonalData: boolean }): string {
  const shown = opts.showPersonalData
    ? r
    : {
        ...r,
        key: r.key === null ? null : redactText(r.key),
        headers: redact(r.headers),
        value: redact(r.value),
      };
  if (opts.json) return toJson(shown);
  const headers = Object.keys(shown.headers).length > 0 ? ` headers=${toJson(shown.headers)}` : '';
  const value = shown.undecodable
    ? `<undecodable: ${shown.undecodable}> ${String(shown.value)}`
    : toJson(shown.value);
  return `${shown.topic}[${shown.partition}]@${shown.offset} ${shown.timestamp} key=${shown.key ?? '-'}${headers} ${value}`;
}
