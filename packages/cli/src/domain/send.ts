import { usageError } from './errors';

export const PRIORITY_NAMES = ['critical', 'high', 'normal', 'low'] as const;
export const CHANNEL_NAMES = ['email', 'sms', 'push'] as const;

/** The flags of `herald send` for one notification, as commander hands them over. */
export interface SendFlags {
  user?: string;
  template?: string;
  category?: string;
  priority?: string;
  channels?: string;
  /** Template variables as JSON text (from --data or the contents of --data-file). */
  data?: string;
  dedupKey?: string;
  sendAt?: string;
  expiresAt?: string;
  locale?: string;
  tags?: string;
}

/** A JSON object from text, or a usage error naming where the text came from. */
export function parseJsonObject(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw usageError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError(`${source} must be a JSON object, e.g. '{"name":"Ada"}'`);
  }
  return value as Record<string, unknown>;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const v = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    throw usageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return v as T;
}

function instant(value: string, flag: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t) || !/[zZ]|[+-]\d\d:?\d\d$/.test(value)) {
    throw usageError(`${flag} must be an ISO 8601 date-time with a time zone, e.g. 2026-11-23T09:00:00Z`);
  }
  return new Date(t).toISOString();
}

/**
 * The body of POST /v1/notifications from the flags. Only what was given is sent, so the API's
 * defaults (category, priority, template, channels) apply to the rest; the API validates the
 * values further and its 400 names the field.
 */
export function notificationFromFlags(flags: SendFlags): Record<string, unknown> {
  if (!flags.user) throw usageError('--user is required (the id of the recipient, e.g. --user ada)');
  const body: Record<string, unknown> = { userId: flags.user };
  if (flags.category !== undefined) body.category = flags.category;
  if (flags.priority !== undefined) body.priority = oneOf(flags.priority, PRIORITY_NAMES, '--priority');
  if (flags.template !== undefined) body.templateId = flags.template;
  if (flags.channels !== undefined) {
    const channels = list(flags.channels).map((c) => oneOf(c, CHANNEL_NAMES, '--channels'));
    if (channels.length === 0) throw usageError('--channels needs at least one of email, sms, push');
    body.channels = [...new Set(channels)];
  }
  if (flags.data !== undefined) body.data = parseJsonObject(flags.data, '--data');
  if (flags.dedupKey !== undefined) body.dedupKey = flags.dedupKey;
  if (flags.sendAt !== undefined) body.sendAt = instant(flags.sendAt, '--send-at');
  if (flags.expiresAt !== undefined) body.expiresAt = instant(flags.expiresAt, '--expires-at');
  if (flags.locale !== undefined) body.locale = flags.locale;
  if (flags.tags !== undefined) body.tags = list(flags.tags);
  return body;
}
