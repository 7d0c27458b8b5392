import { createRegistry, hashApiKey } from '@herald/shared';
import type { FastifyInstance, OpenApiDocument, Pool } from '@herald/shared';
import { openApiWarnings, servedRoutes, silentLog, untouched } from '@herald/test-support';
import { buildApp } from '../src/app';
import type { DeadLetterStore } from '../src/adapters/dead-letters';

const ADMIN_KEY = 'hk_openapi_admin_key';
/** The API key lookup: one admin key, no other. */
const pool = {
  query: (_sql: string, [hash]: [string]) =>
    Promise.resolve({
      rows: hash === hashApiKey(ADMIN_KEY) ? [{ id: '1', name: 'openapi-test', scopes: ['admin'] }] : [],
    }),
} as unknown as Pool;

const listed: unknown[] = [];
let app: FastifyInstance;
let document: OpenApiDocument;

beforeAll(async () => {
  const deadLetters = untouched<DeadLetterStore>('deadLetters', {
    list: (filter) => {
      listed.push(filter);
      return Promise.resolve([]);
    },
  });
  app = buildApp(
    {
      registry: createRegistry('dlq-openapi-test'),
      readiness: { draining: false, checks: [] },
      pool,
      log: silentLog,
    },
    deadLetters,
    { letters: untouched('letters'), replays: untouched('replays') },
  );
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  document = res.json<OpenApiDocument>();
});

afterAll(() => app.close());

const documentedOperations = () =>
  Object.entries(document.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();

describe('the dlq OpenAPI document', () => {
  it('is valid OpenAPI 3.1, without warnings', async () => {
    expect(await openApiWarnings(document)).toEqual([]);
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes every /v1 route the app serves, and no other', () => {
    const served = servedRoutes(app);
    expect(served).toContain('GET /openapi.json');
    expect(documentedOperations()).toEqual(served.filter((r) => r.split(' ')[1]?.startsWith('/v1/')));
    expect(documentedOperations()).toHaveLength(6);
  });

  it('says every operation needs an admin key, as the app does', async () => {
    for (const [path, ops] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security).toEqual([{ apiKey: ['admin'] }]);
        const url = path.replace('{id}', '1').replace('{jobId}', '00000000-0000-4000-8000-000000000000');
        const res = await app.inject({ method: method.toUpperCase() as 'GET', url });
        expect({ op: op.operationId, status: res.statusCode }).toEqual({ op: op.operationId, status: 401 });
      }
    }
  });

  it('documents the list query the handler accepts: the parameters it names and nothing else', async () => {
    const params = (document.paths['/v1/dead-letters']?.get?.parameters ?? []) as {
      name: string;
      in: string;
    }[];
    const names = params.filter((p) => p.in === 'query').map((p) => p.name);
    expect(names.sort()).toEqual([
      'before',
      'channel',
      'limit',
      'notificationId',
      'reason',
      'since',
      'status',
      'until',
    ]);
    const valid: Record<string, string> = {
      before: '12',
      channel: 'sms',
      limit: '5',
      notificationId: '00000000-0000-4000-8000-000000000000',
      reason: 'provider_rejected',
      since: '2026-01-01T00:00:00Z',
      status: 'replayed',
      until: '2026-02-01T00:00:00Z',
    };
    const list = (query: string) =>
      app.inject({
        method: 'GET',
        url: `/v1/dead-letters?${query}`,
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
    for (const name of names) expect((await list(`${name}=${valid[name] ?? ''}`)).statusCode).toBe(200);
    const refused = await list('colour=red');
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      error: { code: 'validation_failed', message: 'colour: unknown field', field: 'colour' },
    });
    expect(listed).toHaveLength(names.length);
  });

  it('documents the error body every error answer has', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/dead-letters/x',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(res.statusCode).toBe(400);
    const errorSchema = document.components.schemas.Error as {
      properties: { error: { required: string[] } };
    };
    expect(Object.keys(res.json<{ error: object }>().error)).toEqual(
      expect.arrayContaining(errorSchema.properties.error.required),
    );
    const ops = Object.values(document.paths).flatMap((ops) => Object.values(ops));
    for (const op of ops) {
      const responses = op.responses as Record<string, { content?: Record<string, { schema: unknown }> }>;
      expect(responses['400']?.content?.['application/json']?.schema).toEqual({
        $ref: '#/components/schemas/Error',
      });
      expect(responses['401']).toBeDefined();
    }
  });
});

describe('the dlq docs page', () => {
  it('is served without an API key, and every file it references loads', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Herald dead-letter admin API</title>');
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map(
      (m) => new URL(m[1] ?? '', 'http://h/docs').pathname,
    );
    expect(refs).toEqual(
      expect.arrayContaining(['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui.css']),
    );
    for (const url of refs) {
      const res = await app.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      expect(res.rawPayload.length).toBeGreaterThan(0);
    }
    const init = await app.inject({ method: 'GET', url: '/docs/static/docs.js' });
    expect(init.body).toContain("new URL('openapi.json', document.baseURI)");
    expect(init.headers['content-type']).toBe('application/javascript; charset=utf-8');
  });

  it('serves only Swagger UI’s own files', async () => {
    for (const url of [
      '/docs/static/package.json',
      '/docs/static/..%2F..%2Fpackage.json',
      '/docs/static/index.html',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
      expect(res.json<{ error: { code: string } }>().error.code).toBe('not_found');
    }
  });
});
