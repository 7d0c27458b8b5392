import { z } from '@herald/shared';
import type { Channel, NotificationRequest, Priority } from '@herald/shared';

const E164 = /^\+[1-9]\d{6,14}$/;
const ID = /^[A-Za-z0-9._:@-]{1,200}$/;

export const userIdSchema = z.string().regex(ID, 'expected 1-200 characters of A-Z a-z 0-9 . _ : @ -');

/** The body of POST /v1/notifications (and of each batch item). */
export const notificationInputSchema = z.strictObject({
  userId: userIdSchema,
  category: z.string().min(1).max(100).default('general'),
  priority: z.enum(['critical', 'high', 'normal', 'low']).default('normal'),
  templateId: z.string().min(1).max(200).optional(),
  channels: z
    .array(z.enum(['email', 'sms', 'push']))
    .min(1)
    .refine((cs) => new Set(cs).size === cs.length, 'channels must not repeat')
    .optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  dedupKey: z.string().min(1).max(200).optional(),
  sendAt: z.iso.datetime({ offset: true }).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 tag such as en or pt-BR')
    .optional(),
  to: z
    .strictObject({
      email: z.email().optional(),
      phone: z.string().regex(E164, 'expected an E.164 number such as +14155550100').optional(),
      deviceTokens: z.array(z.string().min(1).max(4096)).min(1).max(100).optional(),
    })
    .optional(),
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
    },
  };
}
