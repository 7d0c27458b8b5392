import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CHANNELS, PRIORITIES } from './types';
import { MAX_TAGS, PRINTABLE, PRINTABLE_HINT, TAG, TAG_HINT } from './validation';
import type { Channel } from './types';

/**
 * The router's policy data as the API takes it and the router reads it back from Postgres: one
 * schema each, so what was valid at save is what the router expects (and a row edited by hand
 * into something else is skipped, not obeyed).
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** A category as requests name it (`security`, `order.shipped`): any printable text up to 100. */
export const categoryIdSchema = z.string().min(1).max(100).regex(PRINTABLE, PRINTABLE_HINT);

const hhmm = z.string().regex(HHMM, 'expected a time of day HH:MM, 00:00 to 23:59');
const days = z
  .array(z.enum(WEEKDAYS))
  .min(1, 'must name at least one day')
  .max(7)
  .refine((d) => new Set(d).size === d.length, 'must not repeat a day');

/** A window of local time on some days; it crosses midnight when `end` is not after `start`. */
export const windowSchema = z.strictObject({ days, start: hhmm, end: hhmm });

/** `timezone` is checked by the caller against the IANA database (the router's luxon). */
export const quietHoursSchema = z.strictObject({
  timezone: z.string().min(1).max(64).nullable().optional(),
  rules: z.array(windowSchema).max(21),
});

export const capSchema = z.strictObject({
  channel: z.enum(CHANNELS),
  limit: z.number().int().min(1).max(1_000_000),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 86_400),
});

export const categorySettingsSchema = z.strictObject({
  required: z.boolean().default(false),
  caps: z.array(capSchema).max(12).default([]),
});

export const ruleMatchSchema = z.strictObject({
  categories: z.array(categoryIdSchema).min(1).max(100).optional(),
  priorities: z.array(z.enum(PRIORITIES)).min(1).max(4).optional(),
  tags: z.array(z.string().regex(TAG, TAG_HINT)).min(1).max(MAX_TAGS).optional(),
  window: windowSchema.extend({ timezone: z.string().min(1).max(64) }).optional(),
});

export const routingRuleSchema = z.strictObject({
  position: z.number().int().min(0).max(1_000_000),
  enabled: z.boolean().default(true),
  match: ruleMatchSchema.default({}),
  channels: z
    .array(z.enum(CHANNELS))
    .min(1, 'must name at least one channel')
    .refine((c) => new Set(c).size === c.length, 'must not repeat a channel'),
  stopProcessing: z.boolean().default(false),
});
export type RoutingRuleInput = z.infer<typeof routingRuleSchema>;

/**
 * An address as kept in `suppressed_addresses`: its channel and SHA-256, never the address itself.
 * Emails are compared without case (providers report bounces in any case).
 */
export function addressHash(channel: Channel, address: string): string {
  const normal = channel === 'EMAIL' ? address.trim().toLowerCase() : address.trim();
  return createHash('sha256').update(normal).digest('hex');
}
