import { HeraldError, UUID, parseInput, z } from '@herald/shared';
import type { Channel } from '@herald/shared';
import { DEAD_LETTER_STATUSES } from './domain/dead-letter';
import { MAX_REPLAY_IDS } from './domain/replay-job';
import type { ReplaySelection } from './domain/replay-job';

const LIMIT_HINT = 'expected a whole number from 1 to 500';
const DATE_HINT = 'expected an ISO 8601 date-time with a time zone, such as 2026-01-31T12:00:00Z';
// A Postgres bigint: at most 18 digits keeps it in range.
const ID = /^[1-9]\d{0,17}$/;
const ID_HINT = 'expected a dead-letter id';

const reason = z
  .string()
  .regex(/^[a-z_]{1,64}$/, 'expected a reason code such as provider_rejected')
  .optional();
const channel = z
  .string()
  .regex(/^(email|sms|push)$/i, 'expected email, sms or push')
  .transform((c) => c.toUpperCase() as Channel)
  .optional();
const notificationId = z.string().regex(UUID, 'expected a notification id (UUID)').optional();
const instant = z
  .string()
  .pipe(z.iso.datetime({ offset: true, error: DATE_HINT }))
  .refine((s) => Number.isFinite(Date.parse(s)), DATE_HINT)
  .transform((s) => new Date(s).toISOString())
  .optional();

const filterFields = { reason, channel, notificationId, since: instant, until: instant };

/** A time window must not be empty the wrong way round. */
const ordered = (f: { since?: string | undefined; until?: string | undefined }) =>
  f.since === undefined || f.until === undefined || f.since < f.until;
const ORDER_ISSUE = { message: 'expected a time after since', path: ['until'] };

/** Unknown parameters are refused: a misspelt filter must not silently list everything. */
const listQuery = z
  .strictObject({
    ...filterFields,
    status: z
      .enum(DEAD_LETTER_STATUSES, { error: `expected one of ${DEAD_LETTER_STATUSES.join(', ')}` })
      .default('parked'),
    limit: z
      .string()
      .regex(/^\d{1,4}$/, LIMIT_HINT)
      .transform(Number)
      .refine((n) => n >= 1 && n <= 500, LIMIT_HINT)
      .default(50),
    before: z.string().regex(ID, ID_HINT).optional(),
  })
  .refine(ordered, ORDER_ISSUE);

/** `{ reason: undefined }` and `{}` are the same filter: only the fields given are kept. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

export function parseListQuery(query: unknown) {
  const { status, limit, before, ...filter } = parseInput(listQuery, query, 'query');
  return { status, limit, ...(before ? { beforeId: before } : {}), ...defined(filter) };
}

export const parseId = (params: unknown): string =>
  parseInput(z.strictObject({ id: z.string().regex(ID, ID_HINT) }), params, 'params').id;

export const parseJobId = (params: unknown): string =>
  parseInput(
    z.strictObject({ jobId: z.string().regex(UUID, 'expected a replay job id (UUID)') }),
    params,
    'params',
  ).jobId;

/** An action without options takes no body, or an empty object. */
export function parseNoBody(body: unknown): void {
  if (body !== undefined) parseInput(z.strictObject({}), body);
}

export const parseDiscard = (body: unknown): string =>
  parseInput(
    z.strictObject({
      reason: z
        .string()
        .trim()
        .min(1, 'expected why the dead letter is discarded (1 to 500 characters)')
        .max(500, 'expected at most 500 characters'),
    }),
    body,
  ).reason;

const replayIds = z
  .array(
    z.union(
      [
        z.string().regex(ID, ID_HINT),
        z.number({ error: ID_HINT }).int(ID_HINT).positive(ID_HINT).max(Number.MAX_SAFE_INTEGER, ID_HINT),
      ],
      { error: ID_HINT },
    ),
  )
  .min(1, `expected 1 to ${MAX_REPLAY_IDS} dead-letter ids`)
  .max(MAX_REPLAY_IDS, `expected 1 to ${MAX_REPLAY_IDS} dead-letter ids`)
  .transform((ids) => [...new Set(ids.map(String))]);

const replayFilter = z
  .strictObject(filterFields)
  .refine((f) => Object.values(f).some((v) => v !== undefined), {
    message: 'expected at least one of reason, channel, notificationId, since, until',
  })
  .refine(ordered, ORDER_ISSUE);

const bulkBody = z.strictObject({ ids: replayIds.optional(), filter: replayFilter.optional() });

/** `{ ids }` or `{ filter }`, exactly one. */
export function parseBulkReplay(body: unknown): ReplaySelection {
  const { ids, filter } = parseInput(bulkBody, body);
  if (ids && filter) {
    throw new HeraldError('validation_failed', 'body: send either ids or filter, not both', {
      field: 'body',
    });
  }
  if (ids) return { ids };
  if (filter) return { filter: defined(filter) };
  throw new HeraldError('validation_failed', 'body: expected ids (a list of dead-letter ids) or a filter', {
    field: 'body',
  });
}
