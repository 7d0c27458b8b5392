import { HeraldError, UUID, z } from '@herald/shared';
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
  .optional()
  .meta({ description: 'Why letters were parked: a reason code such as provider_rejected.' });
const channel = z
  .string()
  .regex(/^(email|sms|push)$/i, 'expected email, sms or push')
  .transform((c) => c.toUpperCase() as Channel)
  .optional()
  .meta({ description: 'email, sms or push (any case).' });
const notificationId = z
  .string()
  .regex(UUID, 'expected a notification id (UUID)')
  .optional()
  .meta({ description: 'Letters of one notification.' });
const instant = z
  .string()
  .pipe(z.iso.datetime({ offset: true, error: DATE_HINT }))
  .refine((s) => Number.isFinite(Date.parse(s)), DATE_HINT)
  .transform((s) => new Date(s).toISOString())
  .optional()
  .meta({
    description:
      'An ISO 8601 date-time with a time zone: letters parked from (since) or before (until) it; until after since.',
  });

const filterFields = { reason, channel, notificationId, since: instant, until: instant };

/** A time window must not be empty the wrong way round. */
const ordered = (f: { since?: string | undefined; until?: string | undefined }) =>
  f.since === undefined || f.until === undefined || f.since < f.until;
const ORDER_ISSUE = { message: 'expected a time after since', path: ['until'] };

/** Unknown parameters are refused: a misspelt filter must not silently list everything. */
export const listQuery = z
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
      .default(50)
      .meta({ description: 'Page size, 1 to 500.' }),
    before: z
      .string()
      .regex(ID, ID_HINT)
      .optional()
      .meta({ description: "The previous page's `next`: letters older than this id." }),
  })
  .refine(ordered, ORDER_ISSUE);

/** `{ reason: undefined }` and `{}` are the same filter: only the fields given are kept. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/** The list's query as the store takes it. */
export function listFilter(parsed: z.output<typeof listQuery>) {
  const { status, limit, before, ...filter } = parsed;
  return { status, limit, ...(before ? { beforeId: before } : {}), ...defined(filter) };
}

export const idParams = z.strictObject({ id: z.string().regex(ID, ID_HINT) });

export const jobIdParams = z.strictObject({
  jobId: z.string().regex(UUID, 'expected a replay job id (UUID)'),
});

/** An action without options takes no body (the route reads an absent one as `{}`), or an empty object. */
export const noBody = z.strictObject({});

export const discardBody = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1, 'expected why the dead letter is discarded (1 to 500 characters)')
    .max(500, 'expected at most 500 characters'),
});

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

export const bulkBody = z.strictObject({ ids: replayIds.optional(), filter: replayFilter.optional() });

/** `{ ids }` or `{ filter }`, exactly one. */
export function bulkSelection({ ids, filter }: z.output<typeof bulkBody>): ReplaySelection {
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
