import { usageError } from './errors';
import { CHANNEL_NAMES } from './send';
import { formatTable } from './table';

export interface LetterFilterFlags {
  channel?: string;
  reason?: string;
  notification?: string;
  since?: string;
  until?: string;
}

export interface ListFlags extends LetterFilterFlags {
  status?: string;
  limit?: string;
  before?: string;
}

const STATUSES = ['parked', 'replayed', 'discarded'];

function filterOf(flags: LetterFilterFlags): Record<string, string> {
  const f: Record<string, string> = {};
  if (flags.channel !== undefined) {
    const c = flags.channel.toLowerCase();
    if (!(CHANNEL_NAMES as readonly string[]).includes(c))
      throw usageError(`--channel must be one of ${CHANNEL_NAMES.join(', ')} (got "${flags.channel}")`);
    f.channel = c;
  }
  if (flags.reason !== undefined) f.reason = flags.reason;
  if (flags.notification !== undefined) f.notificationId = flags.notification;
  for (const key of ['since', 'until'] as const) {
    const v = flags[key];
    if (v === undefined) continue;
    if (Number.isNaN(Date.parse(v)) || !/[zZ]|[+-]\d\d:?\d\d$/.test(v))
      throw usageError(`--${key} must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z`);
    f[key] = v;
  }
  return f;
}

/** The query string of GET /v1/dead-letters from the flags (the API checks ranges and ids). */
export function listQuery(flags: ListFlags): string {
  const q = new URLSearchParams(filterOf(flags));
  if (flags.status !== undefined) {
    const s = flags.status.toLowerCase();
    if (!STATUSES.includes(s)) throw usageError(`--status must be one of ${STATUSES.join(', ')}`);
    q.set('status', s);
  }
  if (flags.limit !== undefined) {
    const n = Number(flags.limit);
    if (!Number.isInteger(n) || n < 1 || n > 500)
      throw usageError('--limit must be a whole number from 1 to 500');
    q.set('limit', String(n));
  }
  if (flags.before !== undefined) q.set('before', flags.before);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/**
 * The body of POST /v1/dead-letters/replay for `replay --all`. The API wants at least one filter,
 * so that a bare request never replays everything by accident; `--all` with no filter is that
 * deliberate choice, asked for as every letter parked since the epoch.
 */
export function bulkReplayBody(flags: LetterFilterFlags): { filter: Record<string, string> } {
  const filter = filterOf(flags);
  if (Object.keys(filter).length === 0) filter.since = '1970-01-01T00:00:00Z';
  return { filter };
}

export interface LetterSummary {
  id: string;
  status: string;
  channel: string | null;
  reason: string | null;
  attempts: number | null;
  notificationId: string | null;
  parkedAt: string;
  lastError: string | null;
  targetTopic: string | null;
}

export function formatLetters(letters: LetterSummary[]): string {
  if (letters.length === 0) return 'no dead letters match';
  return formatTable(
    [
      { header: 'ID', value: (l: LetterSummary) => l.id, align: 'right' },
      { header: 'PARKED AT', value: (l) => l.parkedAt },
      { header: 'STATUS', value: (l) => l.status },
      { header: 'CHANNEL', value: (l) => l.channel?.toLowerCase() },
      { header: 'REASON', value: (l) => l.reason },
      { header: 'ATTEMPTS', value: (l) => l.attempts, align: 'right' },
      { header: 'NOTIFICATION', value: (l) => l.notificationId },
      { header: 'LAST ERROR', value: (l) => l.lastError, max: 60 },
    ],
    letters,
  );
}

/** One letter: its fields as `name: value` lines, then headers, failures and payload as JSON. */
export function formatLetter(letter: Record<string, unknown>): string {
  const nested = new Set(['headers', 'failures', 'payload']);
  const width = Math.max(...Object.keys(letter).map((k) => k.length));
  const lines = Object.entries(letter)
    .filter(([k]) => !nested.has(k))
    .map(
      ([k, v]) =>
        `${`${k}:`.padEnd(width + 2)}${v === null || v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
  for (const k of nested) {
    if (letter[k] !== undefined) lines.push('', `${k}:`, JSON.stringify(letter[k], null, 2));
  }
  return lines.join('\n');
}

/** GET /v1/dead-letters/replays/:jobId. */
export interface ReplayJob {
  jobId: string;
  status: 'running' | 'done' | 'failed';
  count: number;
  replayed: number;
  skipped: number;
  failed: number;
  lastError?: string | null;
}

export const jobDone = (job: ReplayJob): number => job.replayed + job.skipped + job.failed;

export function formatJob(job: ReplayJob): string {
  const base = `replay job ${job.jobId} ${job.status}: ${job.replayed} replayed, ${job.skipped} skipped, ${job.failed} failed of ${job.count}`;
  return job.lastError ? `${base} (last error: ${job.lastError})` : base;
}
