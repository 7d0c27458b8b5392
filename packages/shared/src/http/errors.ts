import type { FastifyError, FastifyInstance } from 'fastify';
import { HeraldError, classifyError } from '../errors';
import type { Logger } from '../logger';

/** JSON error body of every HTTP API: `{ error: { code, message, field? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function fromFastify(err: FastifyError): HeraldError | null {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HeraldError('payload_too_large', err.message);
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new HeraldError('validation_failed', 'Content-Type must be application/json');
  if (
    err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    // Fastify's JSON parser marks its own syntax errors 400; any other SyntaxError is ours (a 500).
    (err instanceof SyntaxError && err.statusCode === 400)
  )
    return new HeraldError('validation_failed', `body is not valid JSON: ${err.message}`);
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
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } }),
  );
}
