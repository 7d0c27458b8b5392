import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiRoute, collectApiRoutes, registerApiDocs, registerErrorHandler } from '../../src';
import type { ApiInfo, ApiRouteSpec, OpenApiDocument } from '../../src';
import { silentLog } from '@herald/test-support';

const info: ApiInfo = {
  title: 'test API',
  version: '1',
  description: 'routes for the test',
  tags: [{ name: 't', description: 'test routes' }],
  documentedPrefix: '/v1/',
};

const thing = z.strictObject({ name: z.string().min(1), size: z.number().int().default(1) });
const base = { tags: ['t'], access: 'send', responses: { 200: { description: 'ok' } } } as const;

/** An app with the given routes, its docs registered after them as the services do. */
function appWith(add: (app: FastifyInstance) => void): FastifyInstance {
  const app = Fastify();
  registerErrorHandler(app, silentLog);
  const routes = collectApiRoutes(app);
  add(app);
  // These tests read the document, never Swagger UI's files (the services' tests serve them).
  registerApiDocs(app, routes, info, { swaggerUiDir: '/nonexistent/swagger-ui-dist' });
  return app;
}

describe('apiRoute', () => {
  it('hands the handler what its schemas parsed, params then body, and refuses as parseInput does', async () => {
    const seen: unknown[] = [];
    const app = appWith((a) =>
      apiRoute(
        a,
        {
          ...base,
          method: 'PUT',
          url: '/v1/things/:id',
          operationId: 'putThing',
          summary: 'put',
          params: z.object({ id: z.string().regex(/^\d+$/) }),
          body: thing,
        },
        (input) => {
          seen.push(input);
          return { ok: true };
        },
      ),
    );
    const put = (url: string, payload: object) => app.inject({ method: 'PUT', url, payload });
    expect((await put('/v1/things/7', { name: 'a' })).statusCode).toBe(200);
    expect(seen).toEqual([{ params: { id: '7' }, query: undefined, body: { name: 'a', size: 1 } }]);
    const both = await put('/v1/things/x', { colour: 1 });
    expect(both.json()).toEqual({
      error: { code: 'validation_failed', message: expect.stringMatching(/^id: /) as string, field: 'id' },
    });
    const body = await put('/v1/things/7', { name: 'a', colour: 1 });
    expect(body.json()).toEqual({
      error: { code: 'validation_failed', message: 'colour: unknown field', field: 'colour' },
    });
    await app.close();
  });

  it('takes an optional body as {} when absent, and null only when told to', async () => {
    const add = (a: FastifyInstance, url: string, optionalBody: 'absent' | 'absent-or-null') =>
      apiRoute(
        a,
        {
          ...base,
          method: 'POST',
          url,
          operationId: url.slice(4),
          summary: 'post',
          body: z.strictObject({ n: z.number().default(3) }),
          optionalBody,
        },
        ({ body }) => body,
      );
    const app = appWith((a) => {
      add(a, '/v1/absent', 'absent');
      add(a, '/v1/or-null', 'absent-or-null');
    });
    const post = (url: string, payload?: string) =>
      app.inject({
        method: 'POST',
        url,
        ...(payload ? { payload, headers: { 'content-type': 'application/json' } } : {}),
      });
    expect((await post('/v1/absent')).json()).toEqual({ n: 3 });
    expect((await post('/v1/absent', 'null')).statusCode).toBe(400);
    expect((await post('/v1/or-null', 'null')).json()).toEqual({ n: 3 });
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    expect(doc.paths['/v1/absent']?.post?.requestBody).toMatchObject({ required: false });
    await app.close();
  });
});

describe('the OpenAPI document', () => {
  it('refuses to leave out a /v1 route that has no spec', async () => {
    const app = appWith((a) => a.get('/v1/bare', () => ({})));
    await expect(app.ready()).rejects.toThrow(
      'routes under /v1/ without an API description (use apiRoute): GET /v1/bare',
    );
  });

  it('refuses path parameters its params schema does not describe', async () => {
    const spec: ApiRouteSpec = {
      ...base,
      method: 'GET',
      url: '/v1/things/:id',
      operationId: 'get',
      summary: 'get',
    };
    const app = appWith((a) => apiRoute(a, spec, () => ({})));
    await expect(app.ready()).rejects.toThrow(
      /GET \/v1\/things\/:id: its params schema must describe exactly/,
    );
  });

  it('refuses a component documented two ways', async () => {
    const named = z.object({ when: z.string().transform((s) => s.length) }).meta({ id: 'Named' });
    const app = appWith((a) =>
      apiRoute(
        a,
        {
          ...base,
          method: 'POST',
          url: '/v1/named',
          operationId: 'named',
          summary: 'named',
          body: named,
          responses: { 200: { description: 'echo', schema: named } },
        },
        () => ({}),
      ),
    );
    await expect(app.ready()).rejects.toThrow('schema Named is documented two ways');
  });

  it('documents a schema validated later as the schema it is validated with', async () => {
    const later = z.unknown();
    const app = appWith((a) =>
      apiRoute(
        a,
        {
          ...base,
          method: 'POST',
          url: '/v1/many',
          operationId: 'many',
          summary: 'many',
          body: z.strictObject({ items: z.array(later) }),
          documentAs: [[later, thing.meta({ id: 'Thing' })]],
        },
        () => ({}),
      ),
    );
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    const body = doc.paths['/v1/many']?.post?.requestBody as {
      content: { 'application/json': { schema: { properties: { items: { items: unknown } } } } };
    };
    expect(body.content['application/json'].schema.properties.items.items).toEqual({
      $ref: '#/components/schemas/Thing',
    });
    expect(doc.components.schemas.Thing).toMatchObject({ required: ['name'], additionalProperties: false });
    await app.close();
  });
});
