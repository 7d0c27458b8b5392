import type { FastifyInstance } from 'fastify';

/** Routes that set Fastify's own `bodyLimit` route option, and where their limit applies. */
export interface RouteBodyLimits {
  /** A routed request: its route's method and URL pattern, as `request.routeOptions` gives them. */
  ofRoute(method: string, url: string | undefined): number | undefined;
  /** A request not routed yet (node's `checkContinue`): its method and raw URL. */
  ofPath(method: string | undefined, rawUrl: string | undefined): number | undefined;
}

interface RouteLimit {
  method: string;
  pattern: RegExp;
  bodyLimit: number;
}

const escapeRegExp = (c: string) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where a parametric segment's `(regex)` ends, nested parentheses included. */
function endOfGroup(url: string, open: number): number {
  let depth = 0;
  for (let i = open; i < url.length; i++) {
    if (url[i] === '(') depth++;
    else if (url[i] === ')' && --depth === 0) return i + 1;
  }
  return url.length;
}

/**
 * A route's URL as a regular expression over request paths, in find-my-way's syntax: `::` is a
 * colon, `:name` (with an optional `(regex)`) one segment's worth of text, `*` the rest. A param
 * matches any text up to the next `/`, a little more than the router may; that only ever picks the
 * route's limit for a path the router then refuses with 404, which drains and closes as any 404 does.
 */
export function urlPattern(url: string): RegExp {
  let out = '';
  let i = 0;
  while (i < url.length) {
    const c = url.charAt(i);
    if (c === ':' && url[i + 1] === ':') {
      out += ':';
      i += 2;
    } else if (c === ':') {
      i++;
      while (i < url.length && /\w/.test(url.charAt(i))) i++;
      if (url[i] === '(') i = endOfGroup(url, i);
      out += '[^/]+';
    } else if (c === '*') {
      out += '.*';
      i++;
    } else {
      out += escapeRegExp(c);
      i++;
    }
  }
  return new RegExp(`^${out}$`);
}

/**
 * Collects the routes added after it that set `bodyLimit`. Fastify applies such a limit in its
 * parser; the guards that run before the parser (body-limits.ts) must apply the same one, or a route
 * allowed a larger body would still be refused at the server's limit.
 */
export function routeBodyLimits(app: FastifyInstance): RouteBodyLimits {
  const routes: RouteLimit[] = [];
  const byRoute = new Map<string, number>();
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit === undefined) return;
    for (const method of [route.method].flat()) {
      routes.push({ method, pattern: urlPattern(route.url), bodyLimit: route.bodyLimit });
      byRoute.set(`${method} ${route.url}`, route.bodyLimit);
    }
  });
  return {
    ofRoute: (method, url) => (url === undefined ? undefined : byRoute.get(`${method} ${url}`)),
    ofPath(method, rawUrl) {
      const path = (rawUrl ?? '').split('?')[0] ?? '';
      return routes.find((r) => r.method === method && r.pattern.test(path))?.bodyLimit;
    },
  };
}
