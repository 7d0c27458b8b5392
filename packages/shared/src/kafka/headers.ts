import type { IHeaders } from 'kafkajs';

/** Header names of DESIGN.md §3. */
export const H = {
  traceparent: 'traceparent',
  attempt: 'attempt',
  errorClass: 'error-class',
  error: 'error',
  firstFailedAt: 'first-failed-at',
  dueAt: 'due-at',
  targetTopic: 'target-topic',
  /** The failures so far, JSON: `[{ attempt, at, error }]`, the first and the latest nine. */
  failures: 'failures',
  /** The wait before this attempt (ms), for decorrelated jitter. */
  retryDelayMs: 'retry-delay-ms',
  /** How many times a dispatcher has deferred this message while its provider's circuit was open. */
  circuitDeferrals: 'circuit-deferrals',
} as const;

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Plain string headers, as stored with a dead letter. */
export function headersToRecord(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const v = headerString(headers, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
