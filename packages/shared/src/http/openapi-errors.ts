import { z } from 'zod';
import { ERROR_CODES } from '../errors';
import type { ApiRouteSpec } from './api-route';

/** The error body of every Herald HTTP API (`ErrorBody` in errors.ts), as a documented component. */
export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      code: z
        .string()
        .meta({ description: 'Stable and machine-readable: `validation_failed`, `not_found`, …' }),
      message: z.string().meta({ description: 'For people: what was wrong, naming the field first.' }),
      field: z.string().optional().meta({
        description: 'The request field at fault (`to.email`, `notifications[3].userId`, `params`).',
      }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error answer: `{ "error": { code, message, field? } }`.' });

const MEANING: Record<number, string> = {
  400: 'A parameter, header or the body is invalid; `field` names the first one at fault.',
  401: 'No API key, or an unknown or revoked one.',
  403: 'The API key lacks the scope this operation needs.',
  404: 'Not found.',
  409: 'Conflict: try again after Retry-After.',
  413: 'The body is larger than this operation accepts.',
  415: 'Only `application/json` in UTF-8 is accepted, without Content-Encoding.',
  422: 'The request cannot be processed as sent.',
  503: 'A dependency (Kafka, Postgres, Redis) is unavailable: retry after Retry-After.',
};

/** The catalog's codes answered with `status`, for the response's description. */
function codesFor(status: number): string[] {
  return Object.entries(ERROR_CODES)
    .filter(([, e]) => e.httpStatus === status)
    .map(([code]) => `\`${code}\``);
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
};

/**
 * A route's error answer for `status`: the shared body and what it means, in the route's own words
 * or in general with the catalog's codes for the status.
 */
export function errorResponse(status: number, spec: Pick<ApiRouteSpec, 'errors'>): Record<string, unknown> {
  const own = spec.errors?.[status];
  const codes = codesFor(status);
  const general = `${MEANING[status] ?? 'Error.'}${codes.length > 0 ? ` Codes: ${codes.join(', ')}.` : ''}`;
  return {
    description: own ?? general,
    ...(status === 409 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}
