import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HeraldError, classifyError } from '../errors';
import type { Logger } from '../logger';

/** JSON error body of every HTTP API: `{ error: { code, message, field? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function fromFastify(err: FastifyError): HeraldError | null {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HeraldError('payload_too_large', err.message);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new HeraldError('unsupported_media_type', 'Content-Type must be application/json', {
      field: 'content-type',
    });
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
    return new HeraldError('validation_failed', err.message);
  return null;
}

/** Maps every thrown error to its catalog status; surprises are 500 and logged, never leaked. */
export function registerErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = err instanceof HeraldError ? err : fromFastify(err);
    const herald = known ?? classifyError(err);
    const status = herald.httpStatus ?? 500;
    // The route pattern, not the URL: paths carry user ids and device tokens.
    const route = request.routeOptions.url ?? 'unknown route';
    if (status >= 500)
      log.error({ err: herald.message, code: herald.code, route, method: request.method }, 'request failed');
    if (status === 503 || status === 409) void reply.header('retry-after', '1');
    const body: ErrorBody = {
      error: {
        code: herald.code,
        message:
          herald.code === 'dependency_unavailable'
            ? 'a dependency is unavailable, retry shortly'
            : status >= 500 && !known
              ? 'internal error'
              : herald.message,
        ...(herald.field ? { field: herald.field } : {}),
      },
    };
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    // The path only (no query string, which may carry anything), and not all of a huge one.
    const path = request.url.split('?')[0] ?? '';
    const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
    return reply
      .code(404)
      .send({ error: { code: 'not_found', message: `no route ${request.method} ${shown}` } });
  });
}

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any route or error handler
 * (a path that is not valid percent-encoding, a path segment over `maxParamLength`) answered with
 * Herald's error body instead of Fastify's own.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'url: a path segment is too long'
      : 'url: the path is not valid percent-encoded UTF-8';
  const body: ErrorBody = { error: { code: 'validation_failed', message, field: 'url' } };
  void reply.code(400).send(body);
}
