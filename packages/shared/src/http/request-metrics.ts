import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { metricsFor } from '../metrics';
import { DOCS_PATH } from './api-docs';

/** The `route` label of a request that matched no route: one series, whatever the URL was. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Routes left out: the probes and the scrape (every few seconds, from machines, and their own
 * signals elsewhere) and the docs page's files. The OpenAPI document is counted: clients fetch it.
 */
export const UNMEASURED_ROUTES: ReadonlySet<string> = new Set([
  '/healthz',
  '/readyz',
  '/metrics',
  DOCS_PATH,
  `${DOCS_PATH}/static/:file`,
]);

/**
 * The route a request is counted under: the template it matched (`/v1/notifications/:id`), never
 * the URL, so the labels stay as few as the routes; `unmatched` for Fastify's 404 handler.
 */
export function routeLabel(request: FastifyRequest): string {
  if (request.is404) return UNMATCHED_ROUTE;
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/**
 * Counts every reply of an API server (`herald_http_requests_total{method,route,status_code}`) and
 * times it (`herald_http_request_duration_seconds{method,route}`), in `registry`. One onResponse
 * hook on the root instance, so it sees every route, the 404 handler, and requests a hook refused
 * (401, 403); add it before the API's routes. Requests the HTTP parser refused never reach Fastify
 * and are not counted.
 *
 * Each route's series start at 0 when it is added (as `zeroSeries` does for the other counters):
 * its timing, and the count of each status its spec documents (`responses` and `errors`), so
 * rate() sees the first such request after a start too. Other statuses (a 400, a 401 or a 503 the
 * spec leaves implied) appear with their first occurrence.
 */
export function registerRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = metricsFor.httpRequests(registry);
  const duration = metricsFor.httpRequestDuration(registry);
  app.addHook('onRoute', (options) => {
    const route = options.url;
    if (UNMEASURED_ROUTES.has(route)) return;
    const spec = options.config?.apiRoute;
    const documented = Object.keys({ ...spec?.responses, ...spec?.errors });
    for (const method of [options.method].flat()) {
      // Fastify's implicit HEAD routes: counted when asked for, not started at 0.
      if (method === 'HEAD') continue;
      duration.zero({ method, route });
      for (const status_code of documented) requests.inc({ method, route, status_code }, 0);
    }
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const route = routeLabel(request);
    if (!UNMEASURED_ROUTES.has(route)) {
      const { method } = request;
      requests.inc({ method, route, status_code: String(reply.statusCode) });
      duration.observe({ method, route }, reply.elapsedTime / 1000);
    }
    done();
  });
}
