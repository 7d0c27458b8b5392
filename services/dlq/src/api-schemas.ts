import { z } from '@herald/shared';
import type { ApiInfo } from '@herald/shared';
import { DEAD_LETTER_STATUSES } from './domain/dead-letter';
import { JOB_STATUSES } from './domain/replay-job';

/** What the admin API answers, for its OpenAPI document (the handlers build these shapes in replies.ts). */
const nullableText = z.string().nullable();
const time = z.iso.datetime({ offset: true });

export const deadLetterSummarySchema = z
  .object({
    id: z.string().meta({ description: 'The dead letter id (a Postgres bigint, as a string).' }),
    status: z.enum(DEAD_LETTER_STATUSES),
    sourceTopic: z.string(),
    targetTopic: nullableText.meta({ description: 'Where a replay produces it.' }),
    notificationId: z.uuid().nullable(),
    channel: nullableText,
    reason: z.string().meta({ description: 'Why it was parked: a reason code such as provider_rejected.' }),
    errorClass: z.string(),
    attempts: z.number().int(),
    firstError: nullableText,
    lastError: nullableText,
    firstFailedAt: time.nullable(),
    parkedAt: time,
    payloadBytes: z.number().int(),
  })
  .meta({ id: 'DeadLetterSummary' });

const auditFields = {
  replayCount: z.number().int(),
  replayedAt: time.nullable(),
  replayedBy: nullableText.meta({ description: 'The name of the API key that replayed it.' }),
  discardedAt: time.nullable(),
  discardedBy: nullableText,
  discardReason: nullableText,
};

export const actionResultSchema = deadLetterSummarySchema
  .extend(auditFields)
  .meta({ id: 'DeadLetterAction', description: 'The letter after the action, with its audit.' });

const failureSchema = z.object({ attempt: z.number().int(), at: time, error: z.string() });

export const deadLetterSchema = deadLetterSummarySchema
  .extend({
    ...auditFields,
    sourcePartition: z.number().int(),
    sourceOffset: z.string(),
    headers: z.record(z.string(), z.string()),
    replayJobId: z.uuid().nullable(),
    key: nullableText,
    keyEncoding: z.enum(['utf8', 'base64']).nullable(),
    failures: z.array(failureSchema).meta({ description: 'The latest failures, the last one last.' }),
    payload: z.unknown().meta({
      description:
        'Decoded through the schema registry; base64 text when it cannot be; null when not stored.',
    }),
    payloadEncoding: z.enum(['avro', 'base64']).nullable(),
    payloadError: z.string().optional().meta({ description: 'Why the payload is shown as base64.' }),
  })
  .meta({ id: 'DeadLetter' });

export const deadLetterListSchema = z.object({
  deadLetters: z.array(deadLetterSummarySchema),
  next: nullableText.meta({ description: 'Pass as `before` for the next page; null on the last page.' }),
});

export const replayStartedSchema = z.object({
  jobId: z.uuid(),
  count: z.number().int().meta({ description: 'Parked letters the job will replay.' }),
  status: z.enum(JOB_STATUSES),
  progressUrl: z.string(),
});

export const replayJobSchema = z
  .object({
    jobId: z.uuid(),
    status: z.enum(JOB_STATUSES),
    count: z.number().int(),
    replayed: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    ids: z.array(z.string()).nullable(),
    filter: z.record(z.string(), z.string()).nullable(),
    createdBy: z.string().meta({ description: 'The name of the API key that started it.' }),
    createdAt: time,
    finishedAt: time.nullable(),
    lastError: nullableText,
    progressUrl: z.string(),
  })
  .meta({ id: 'ReplayJob' });

export const DLQ_API_INFO: ApiInfo = {
  title: 'Herald dead-letter admin API',
  version: '1',
  description:
    'Parked messages (what the retry engine gave up on, or could never send): list, inspect, replay to ' +
    'their target topic, discard with a reason, replay in bulk. Every operation needs an API key with the ' +
    '`admin` scope. Errors are `{ "error": { code, message, field? } }`.',
  tags: [
    { name: 'dead-letters', description: 'Parked messages, one at a time.' },
    { name: 'replays', description: 'Bulk replays, run as jobs.' },
  ],
  documentedPrefix: '/v1/',
};
