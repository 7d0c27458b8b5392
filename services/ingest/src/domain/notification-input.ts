import {
  E164,
  E164_HINT,
  LOCALE,
  LOCALE_HINT,
  MAX_DATA_BYTES,
  MAX_COLLAPSE_KEY,
  MAX_DEDUP_WINDOW_SECONDS,
  MAX_DEVICE_TOKENS,
  MAX_PUSH_TTL_SECONDS,
  MAX_TAGS,
  PRINTABLE,
  PRINTABLE_HINT,
  TAG,
  TAG_HINT,
  TEMPLATE_ID,
  TEMPLATE_ID_HINT,
  USER_ID,
  USER_ID_HINT,
  z,
} from '@herald/shared/domain';
import type { Channel, NotificationRequest, Priority } from '@herald/shared/domain';

export const userIdSchema = z.string().regex(USER_ID, USER_ID_HINT);
export const phoneSchema = z.string().regex(E164, E164_HINT);
export const localeSchema = z.string().regex(LOCALE, LOCALE_HINT);
/** Free text that ends up in Postgres columns and status events. */
export const textSchema = (max: number) => z.string().min(1).max(max).regex(PRINTABLE, PRINTABLE_HINT);

/** The body of POST /v1/notifications (and of each batch item). */
export const notificationInputSchema = z
  .strictObject({
    userId: userIdSchema,
    category: textSchema(100).default('general'),
    priority: z.enum(['critical', 'high', 'normal', 'low']).default('normal'),
    templateId: z.string().regex(TEMPLATE_ID, TEMPLATE_ID_HINT).optional(),
    channels: z
      .array(z.enum(['email', 'sms', 'push']))
      .min(1)
      .refine((cs) => new Set(cs).size === cs.length, 'channels must not repeat')
      .meta({ uniqueItems: true, description: 'The channels to use, each once.' })
      .optional(),
    data: z
      .record(z.string(), z.unknown())
      .default({})
      .refine(
        (d) => Buffer.byteLength(JSON.stringify(d)) <= MAX_DATA_BYTES,
        `must be at most ${MAX_DATA_BYTES} bytes as JSON`,
      )
      .meta({ description: `The template's variables; at most ${MAX_DATA_BYTES} bytes as JSON.` }),
    dedupKey: textSchema(200).optional(),
    /** This request's dedup window (0: no dedup); the router's default when absent. */
    dedupWindowSeconds: z.number().int().min(0).max(MAX_DEDUP_WINDOW_SECONDS).optional(),
    tags: z
      .array(z.string().regex(TAG, TAG_HINT))
      .min(1)
      .max(MAX_TAGS)
      .refine((t) => new Set(t).size === t.length, 'tags must not repeat')
      .meta({ uniqueItems: true, description: 'Labels routing rules can match on.' })
      .optional(),
    /** Push delivery options: how long an offline device's copy is kept, and what replaces what. */
    push: z
      .strictObject({
        ttlSeconds: z.number().int().min(0).max(MAX_PUSH_TTL_SECONDS).optional(),
        collapseKey: z
          .string()
          .min(1)
          .max(MAX_COLLAPSE_KEY)
          .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII')
          .optional(),
      })
      .optional(),
    sendAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'When to send, with a time zone; now when absent.' }),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'Not sent after this: must be in the future, and after `sendAt`.' }),
    locale: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 tag such as en or pt-BR')
      .optional(),
    to: z
      .strictObject({
        email: z.email().optional(),
        phone: phoneSchema.optional(),
        deviceTokens: z.array(textSchema(4096)).min(1).max(MAX_DEVICE_TOKENS).optional(),
      })
      .optional(),
  })
  .meta({
    id: 'NotificationInput',
    description:
      'One notification: to whom (`userId`, or addresses in `to`), what (`templateId` and `data`), how urgent, and when.',
  });

export type NotificationInput = z.infer<typeof notificationInputSchema>;

export type ToRequest =
  { ok: true; request: NotificationRequest } | { ok: false; field: string; message: string };

/** Checks that need the clock, then the request as it goes on the wire. */
export function toRequest(input: NotificationInput, id: string, now: number): ToRequest {
  const sendAt = input.sendAt ? Date.parse(input.sendAt) : null;
  const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : null;
  if (expiresAt !== null && expiresAt <= now) {
    return { ok: false, field: 'expiresAt', message: 'expiresAt: must be in the future' };
  }
  if (expiresAt !== null && sendAt !== null && expiresAt <= sendAt) {
    return { ok: false, field: 'expiresAt', message: 'expiresAt: must be after sendAt' };
  }
  return {
    ok: true,
    request: {
      id,
      userId: input.userId,
      category: input.category,
      priority: input.priority.toUpperCase() as Priority,
      templateId: input.templateId ?? null,
      channels: input.channels ? input.channels.map((c) => c.toUpperCase() as Channel) : null,
      data: JSON.stringify(input.data),
      dedupKey: input.dedupKey ?? null,
      createdAt: now,
      sendAt,
      expiresAt,
      to: input.to
        ? {
            email: input.to.email ?? null,
            phone: input.to.phone ?? null,
            deviceTokens: input.to.deviceTokens ?? null,
          }
        : null,
      locale: input.locale ?? null,
      dedupWindowSeconds: input.dedupWindowSeconds ?? null,
      tags: input.tags ?? null,
      pushTtlSeconds: input.push?.ttlSeconds ?? null,
      pushCollapseKey: input.push?.collapseKey ?? null,
    },
  };
}
