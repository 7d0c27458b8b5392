import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { z } from 'zod';
import { parseInput } from './validate';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Who may call a route: an API key with this scope, or anyone (the route carries its own proof). */
export type ApiAccess = 'send' | 'admin' | 'public';

/** One documented answer. No schema: no body (a 204), or one described in words. */
export interface ApiResponse {
  description: string;
  schema?: z.ZodType;
  /** `application/json` unless said otherwise. */
  contentType?: string;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

/** A request header the handler reads itself, with the schema it reads it with. */
export interface ApiHeader {
  description: string;
  schema: z.ZodType;
  required?: boolean;
}

/**
 * A route of a Herald HTTP API, described once: the same zod schemas validate its requests (the
 * handler gets what they parsed) and describe it in the OpenAPI document (openapi.ts).
 */
export interface ApiRouteSpec<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> {
  method: HttpMethod;
  /** Fastify's pattern: `/v1/users/:id`. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  access: ApiAccess;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body may be left out: what counts as none (no body; or also JSON `null`) is parsed as `{}`
   * (the body's defaults) instead of refused.
   */
  optionalBody?: 'absent' | 'absent-or-null';
  /** A body the handler takes raw (signed webhooks): its media types, documented without a schema. */
  rawBody?: { contentTypes: readonly string[]; description: string };
  headers?: Record<string, ApiHeader>;
  /**
   * Schemas that accept anything at their place because the handler validates each such value on
   * its own (a batch item), paired with the schema it validates it with: documented as the latter.
   */
  documentAs?: readonly (readonly [z.ZodType, z.ZodType])[];
  /**
   * Error statuses the route answers besides those its inputs and access imply (400, 401, 403,
   * 413, 415, 503), each with what it means here; an implied one may be given to say more.
   */
  errors?: Partial<Record<number, string>>;
  responses: Record<number, ApiResponse>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What the route's schemas made of the request, in their order: params, query, body. */
export interface ApiInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

export type ApiHandler<P, Q, B> = (
  input: ApiInput<P, Q, B>,
  request: FastifyRequest,
  reply: FastifyReply,
) => unknown;

/** Fastify options a route may add to its spec: its own auth hook, its own body limit. */
export interface ApiRouteOptions {
  onRequest?: onRequestHookHandler;
  bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's description, for the OpenAPI document (see collectApiRoutes). */
    apiRoute?: ApiRouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;
  }
}

function parseParts<P, Q, B>(
  spec: ApiRouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>,
  request: FastifyRequest,
): ApiInput<P, Q, B> {
  const params: unknown = spec.params ? parseInput(spec.params, request.params, 'params') : undefined;
  const query: unknown = spec.query ? parseInput(spec.query, request.query, 'query') : undefined;
  const none =
    request.body === undefined || (request.body === null && spec.optionalBody === 'absent-or-null');
  const raw = none && spec.optionalBody ? {} : request.body;
  const body: unknown = spec.body ? parseInput(spec.body, raw) : undefined;
  return { params, query, body } as ApiInput<P, Q, B>;
}

/**
 * Adds a route from its spec: the handler runs on what the spec's schemas parsed (a failure is
 * parseInput's 400), and the spec rides in the route's config for the document.
 */
export function apiRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  app: FastifyInstance,
  spec: ApiRouteSpec<P, Q, B>,
  handler: ApiHandler<P, Q, B>,
  options: ApiRouteOptions = {},
): void {
  app.route({
    method: spec.method,
    url: spec.url,
    ...options,
    config: { apiRoute: spec },
    handler: (request, reply) => handler(parseParts<P, Q, B>(spec, request), request, reply),
  });
}

/** A route as registered: its method and pattern, and its spec when it has one. */
export interface RegisteredRoute {
  method: string;
  url: string;
  spec?: ApiRouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;
}

/**
 * Records every route added to `app` after it (in any plugin), as Fastify registers it: what the
 * OpenAPI document is built from, so a route Fastify serves cannot be missing from it unnoticed.
 * Fastify's implicit HEAD routes are left out.
 */
export function collectApiRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const spec = route.config?.apiRoute;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: route.url, ...(spec ? { spec } : {}) });
    }
  });
  return routes;
}
