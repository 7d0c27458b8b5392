import { CHANNELS, categorySettingsSchema, quietHoursSchema, routingRuleSchema, z } from '@herald/shared';
import type { ApiInfo } from '@herald/shared';
import { OVERALL_STATUSES } from '../domain/timeline';

/**
 * What the public API answers, for its OpenAPI document. The requests' schemas are the ones the
 * routes validate with (beside each route); these describe the shapes the handlers build.
 */
const time = z.iso.datetime({ offset: true });

export const acceptedSchema = z.object({ id: z.uuid(), status: z.literal('accepted') });

export const replayedHeader = {
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.',
    schema: z.literal('true'),
  },
};

const itemErrorSchema = z.object({ code: z.string(), message: z.string(), field: z.string().optional() });

export const batchAnswerSchema = z.object({
  results: z.array(
    z.union([
      z.object({ index: z.number().int(), id: z.uuid(), status: z.literal('accepted') }),
      z.object({ index: z.number().int(), status: z.literal('rejected'), error: itemErrorSchema }),
    ]),
  ),
  accepted: z.number().int(),
  rejected: z.number().int(),
});

const timelineEntrySchema = z.object({
  status: z.string(),
  at: time,
  reason: z.string().optional(),
  providerMessageId: z.string().optional(),
  attempt: z.number().int().optional(),
  error: z.string().optional(),
  nextAttemptAt: time.optional(),
  until: time.optional(),
  by: z.string().optional(),
});

export const notificationViewSchema = z
  .object({
    id: z.uuid(),
    userId: z.string().nullable(),
    category: z.string().nullable(),
    priority: z.string().nullable(),
    createdAt: time.nullable(),
    status: z.enum(OVERALL_STATUSES),
    timeline: z.array(timelineEntrySchema),
    channels: z.record(
      z.enum(['email', 'sms', 'push']),
      z.object({ status: z.string(), timeline: z.array(timelineEntrySchema) }),
    ),
  })
  .meta({ id: 'NotificationStatus' });

const userFields = {
  id: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.string(),
  timezone: z.string(),
};
export const userSchema = z.object(userFields);
export const userWithDevicesSchema = z.object({
  ...userFields,
  devices: z.array(z.object({ token: z.string(), platform: z.string(), createdAt: time })),
});
export const deviceAddedSchema = z.object({
  userId: z.string(),
  platform: z.enum(['ios', 'android', 'web']),
});

export const preferencesSchema = z.object({
  categories: z.record(
    z.string(),
    z.object({ email: z.boolean(), sms: z.boolean(), push: z.boolean() }).partial(),
  ),
  unsubscribed: z.boolean(),
});
export const quietHoursAnswerSchema = quietHoursSchema.extend({ timezone: z.string().nullable() });

export const categorySchema = categorySettingsSchema.extend({ id: z.string() });
export const routingRuleAnswerSchema = routingRuleSchema.extend({ id: z.string() });

export const templateSchema = z.object({
  id: z.string(),
  channel: z.enum(CHANNELS),
  locale: z.string(),
  version: z.number().int(),
  subject: z.string().nullable(),
  title: z.string().nullable(),
  body: z.string().nullable(),
  html: z.string().nullable(),
  data: z.record(z.string(), z.string()).nullable(),
  strict: z.boolean(),
  fromEmail: z.string().nullable(),
  fromName: z.string().nullable(),
  replyTo: z.string().nullable(),
});
export const templateSummarySchema = templateSchema.pick({
  id: true,
  channel: true,
  locale: true,
  version: true,
});

export const INGEST_API_INFO: ApiInfo = {
  title: 'Herald public API',
  version: '1',
  description:
    'Send notifications and follow them; keep users, their devices, preferences and quiet hours; and ' +
    '(with an `admin` key) the catalogue of categories, routing rules and templates. Bodies are JSON in ' +
    'UTF-8; unknown fields are refused. Errors are `{ "error": { code, message, field? } }`.',
  tags: [
    { name: 'notifications', description: 'Send one or many, and read a notification’s status timeline.' },
    { name: 'users', description: 'Users, their addresses and their push devices.' },
    { name: 'preferences', description: 'What each user wants to receive, and when not to be disturbed.' },
    { name: 'catalog', description: 'Categories and routing rules (admin scope).' },
    { name: 'templates', description: 'Versioned templates per channel and locale (admin scope).' },
    {
      name: 'public',
      description: 'No API key: unsubscribe links (a signed token) and provider webhooks (signed).',
    },
  ],
  documentedPrefix: '/v1/',
};
