import { SENDGRID_BOUNCE_TYPES, SENDGRID_EVENTS, SENDGRID_EVENTS_WITH_REASON } from './sendgrid-events';
import type { SendGridBounceType, SendGridEventName, SendGridEventRequest } from './sendgrid-events';
import { TWILIO_STATUSES, TWILIO_STATUSES_WITH_ERROR } from './twilio-status';
import type { TwilioStatus, TwilioStatusRequest } from './twilio-status';

export type RequestResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An absolute http(s) URL: where a webhook can be posted. */
export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * An absolute http(s) origin, such as `http://ingest:8080` (a trailing `/` allowed): the origin as
 * `URL` spells it, or undefined for anything else (no path, query, fragment or credentials).
 */
export function httpOrigin(value: string): string | undefined {
  if (!isHttpUrl(value)) return undefined;
  const url = new URL(value);
  const bare = url.pathname === '/' && url.search === '' && url.hash === '';
  if (!bare || url.username !== '' || url.password !== '' || /[?#]/.test(value)) return undefined;
  return url.origin;
}

function unknownFields(input: Record<string, unknown>, known: readonly string[], problems: string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) problems.push(`unknown field '${key}' (use ${known.join(', ')})`);
  }
}

function checkMessageId(value: unknown, problems: string[]): void {
  if (typeof value !== 'string' || value === '') {
    problems.push('providerMessageId is required: the id the sandbox answered the message with');
  }
}

/** Validates a `POST /api/webhooks/sendgrid` body, listing every problem at once. */
export function parseSendGridEventRequest(input: unknown): RequestResult<SendGridEventRequest> {
  if (!isRecord(input)) return { ok: false, problems: ['body must be a JSON object'] };
  const problems: string[] = [];
  unknownFields(input, ['providerMessageId', 'event', 'type', 'reason', 'url'], problems);
  const { providerMessageId, event, type, reason, url } = input;
  checkMessageId(providerMessageId, problems);
  const known = SENDGRID_EVENTS.includes(event as SendGridEventName);
  if (!known) problems.push(`event must be one of ${SENDGRID_EVENTS.join(', ')}`);
  if (type !== undefined) {
    if (!SENDGRID_BOUNCE_TYPES.includes(type as SendGridBounceType)) {
      problems.push(`type must be one of ${SENDGRID_BOUNCE_TYPES.join(', ')}`);
    }
    if (known && event !== 'bounce') problems.push('type applies only to event bounce');
  }
  if (reason !== undefined) {
    if (typeof reason !== 'string' || reason === '') problems.push('reason must be a non-empty string');
    if (known && !SENDGRID_EVENTS_WITH_REASON.includes(event as SendGridEventName)) {
      problems.push(`reason applies only to events ${SENDGRID_EVENTS_WITH_REASON.join(', ')}`);
    }
  }
  if (url !== undefined && !(typeof url === 'string' && isHttpUrl(url))) {
    problems.push('url must be an absolute http or https URL');
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      providerMessageId: providerMessageId as string,
      event: event as SendGridEventName,
      ...(type === undefined ? {} : { type: type as SendGridBounceType }),
      ...(reason === undefined ? {} : { reason: reason as string }),
      ...(url === undefined ? {} : { url: url as string }),
    },
  };
}

/** Validates a `POST /api/webhooks/twilio` body, listing every problem at once. */
export function parseTwilioStatusRequest(input: unknown): RequestResult<TwilioStatusRequest> {
  if (!isRecord(input)) return { ok: false, problems: ['body must be a JSON object'] };
  const problems: string[] = [];
  unknownFields(input, ['providerMessageId', 'status', 'errorCode'], problems);
  const { providerMessageId, status, errorCode } = input;
  checkMessageId(providerMessageId, problems);
  const known = TWILIO_STATUSES.includes(status as TwilioStatus);
  if (!known) problems.push(`status must be one of ${TWILIO_STATUSES.join(', ')}`);
  if (errorCode !== undefined) {
    if (typeof errorCode !== 'string' || !/^\d{5}$/.test(errorCode)) {
      problems.push("errorCode must be a Twilio error code: five digits as a string, e.g. '30003'");
    }
    if (known && !TWILIO_STATUSES_WITH_ERROR.includes(status as TwilioStatus)) {
      problems.push(`errorCode applies only to status ${TWILIO_STATUSES_WITH_ERROR.join(' or ')}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      providerMessageId: providerMessageId as string,
      status: status as TwilioStatus,
      ...(errorCode === undefined ? {} : { errorCode: errorCode as string }),
    },
  };
}
