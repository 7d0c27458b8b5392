import type { z } from 'zod';
import type { ApiRouteSpec, RegisteredRoute } from './api-route';
import { errorBodySchema, errorResponse } from './openapi-errors';
import { SchemaConverter } from './openapi-schemas';
import type { JsonSchema } from './openapi-schemas';

/** What a document says about its API as a whole. */
export interface ApiInfo {
  title: string;
  version: string;
  description: string;
  /** Tags in the order the docs page shows them, with what each groups. */
  tags: { name: string; description: string }[];
  /** Where the API is served; `/` (the server that serves the document) when absent. */
  servers?: { url: string; description: string }[];
  /** Every route under this prefix must carry a spec: the document refuses to leave one out. */
  documentedPrefix: string;
}

type AnySpec = ApiRouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;
type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, Json> };
}

export const API_KEY_SCHEME = 'apiKey';

/** `/v1/users/:id` → `/v1/users/{id}`, and the names of its parameters. */
export function openApiPath(url: string): { path: string; names: string[] } {
  const names: string[] = [];
  const path = url.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  return { path, names };
}

function parameters(
  converter: SchemaConverter,
  spec: AnySpec,
  where: 'path' | 'query',
  schema: z.ZodType | undefined,
): Json[] {
  if (!schema) return [];
  const json = converter.convert(schema, 'input', spec.documentAs);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function headerParameters(converter: SchemaConverter, spec: AnySpec): Json[] {
  return Object.entries(spec.headers ?? {}).map(([name, h]) => ({
    name,
    in: 'header',
    required: h.required ?? false,
    description: h.description,
    schema: converter.convert(h.schema, 'input', spec.documentAs),
  }));
}

function requestBody(converter: SchemaConverter, spec: AnySpec): Json | undefined {
  if (spec.rawBody) {
    const content = Object.fromEntries(spec.rawBody.contentTypes.map((t) => [t, {}]));
    return { required: true, description: spec.rawBody.description, content };
  }
  if (!spec.body) return undefined;
  const schema = converter.convert(spec.body, 'input', spec.documentAs);
  return {
    required: spec.optionalBody === undefined,
    ...(spec.optionalBody
      ? {
          description: `May be left out${spec.optionalBody === 'absent-or-null' ? ' (or be null)' : ''}: taken as \`{}\`.`,
        }
      : {}),
    content: { 'application/json': { schema } },
  };
}

function successResponses(converter: SchemaConverter, spec: AnySpec): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(spec.responses).map(([status, r]) => {
      const headers = Object.entries(r.headers ?? {}).map(([name, h]): [string, Json] => [
        name,
        { description: h.description, schema: converter.convert(h.schema, 'output') },
      ]);
      const type = r.contentType ?? 'application/json';
      const content = r.schema
        ? { [type]: { schema: converter.convert(r.schema, 'output') } }
        : r.contentType
          ? { [type]: {} }
          : undefined;
      return [
        status,
        {
          description: r.description,
          ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
          ...(content ? { content } : {}),
        },
      ];
    }),
  );
}

/** The error statuses a route can answer: those its inputs and access imply, and its own. */
function errorStatuses(spec: AnySpec): number[] {
  const takesInput = spec.params ?? spec.query ?? spec.body ?? spec.rawBody ?? spec.headers;
  const statuses = new Set<number>(Object.keys(spec.errors ?? {}).map(Number));
  if (takesInput) statuses.add(400);
  if (spec.access !== 'public') [401, 403].forEach((s) => statuses.add(s));
  if (spec.body ?? spec.rawBody) [413, 415].forEach((s) => statuses.add(s));
  statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

function operation(converter: SchemaConverter, spec: AnySpec): Json {
  const { names } = openApiPath(spec.url);
  const pathParams = parameters(converter, spec, 'path', spec.params);
  const documented = pathParams.map((p) => p.name);
  const missing = names.filter((n) => !documented.includes(n));
  if (missing.length > 0 || documented.length !== names.length) {
    throw new Error(
      `${spec.method} ${spec.url}: its params schema must describe exactly the path's parameters (${names.join(', ')})`,
    );
  }
  const query = parameters(converter, spec, 'query', spec.query);
  const strictQuery =
    spec.query !== undefined && converter.convert(spec.query, 'input').additionalProperties === false;
  const description = [spec.description, strictQuery ? 'Unknown query parameters are refused (400).' : '']
    .filter(Boolean)
    .join('\n\n');
  const body = requestBody(converter, spec);
  // A status the route documents itself (an HTML 400 page) is not the JSON error.
  const errors = Object.fromEntries(
    errorStatuses(spec)
      .filter((s) => spec.responses[s] === undefined)
      .map((s) => [String(s), errorResponse(s, spec)]),
  );
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(description ? { description } : {}),
    tags: spec.tags,
    security: spec.access === 'public' ? [] : [{ [API_KEY_SCHEME]: [spec.access] }],
    parameters: [...pathParams, ...query, ...headerParameters(converter, spec)],
    ...(body ? { requestBody: body } : {}),
    responses: { ...successResponses(converter, spec), ...errors },
  };
}

/** Throws when a route under the documented prefix has no spec, or two operations share an id. */
function checkComplete(routes: RegisteredRoute[], prefix: string): AnySpec[] {
  const bare = routes.filter((r) => !r.spec && r.url.startsWith(prefix));
  if (bare.length > 0) {
    const list = bare.map((r) => `${r.method} ${r.url}`).join(', ');
    throw new Error(`routes under ${prefix} without an API description (use apiRoute): ${list}`);
  }
  const specs = [...new Set(routes.flatMap((r) => (r.spec ? [r.spec] : [])))];
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.operationId)) throw new Error(`operationId ${s.operationId} is used twice`);
    ids.add(s.operationId);
  }
  return specs;
}

/**
 * The OpenAPI 3.1 document of an app's routes, from the zod schemas their specs validate with:
 * requests as the schemas accept them (`io: input`: defaults optional), answers as they are sent.
 */
export function buildOpenApiDocument(routes: RegisteredRoute[], info: ApiInfo): OpenApiDocument {
  const specs = checkComplete(routes, info.documentedPrefix);
  const converter = new SchemaConverter();
  // Every error answer refers to it.
  converter.convert(errorBodySchema, 'output');
  const paths: OpenApiDocument['paths'] = {};
  for (const spec of specs) {
    const { path } = openApiPath(spec.url);
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation(converter, spec) };
  }
  const used = new Set(specs.flatMap((s) => s.tags));
  const declared = info.tags.filter((t) => used.has(t.name));
  const undeclared = [...used].filter((t) => !info.tags.some((d) => d.name === t));
  if (undeclared.length > 0) throw new Error(`tags without a description: ${undeclared.join(', ')}`);
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: info.servers ?? [{ url: '/', description: 'the server that serves this document' }],
    tags: declared,
    paths,
    components: {
      schemas: converter.components(),
      securitySchemes: {
        [API_KEY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A Herald API key (`hk_…`) as `Authorization: Bearer <key>`. Each operation names the scope the key needs: `send` or `admin`.',
        },
      },
    },
  };
}
