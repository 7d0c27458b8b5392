import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createRegistry, hashApiKey, metricsFor, topicNames } from '@herald/shared';
import type { FastifyInstance, OpenApiDocument, OutboundRecord, Pool, Redis } from '@herald/shared';
import { openApiWarnings, servedRoutes, silentLog, untouched } from '@herald/test-support';
import { buildApp } from '../src/app';
import type { AppDeps } from '../src/app';

const SEND_KEY = 'hk_openapi_send_key';
/** The API key lookup: one key with the send scope. */
const pool = {
  query: (_sql: string, [hash]: [string]) =>
    Promise.resolve({
      rows: hash === hashApiKey(SEND_KEY) ? [{ id: '1', name: 'openapi-test', scopes: ['send'] }] : [],
    }),
} as unknown as Pool;

const published: OutboundRecord[][] = [];
let app: FastifyInstance;
let document: OpenApiDocument;

beforeAll(async () => {
  const registry = createRegistry('ingest-openapi-test');
  const deps: AppDeps = {
    registry,
    readiness: { draining: false, checks: [] },
    pool,
    log: silentLog,
    publisher: {
      publish: (records) => {
        published.push(records);
        return Promise.resolve();
      },
    },
    topics: topicNames('openapi-test'),
    idempotency: untouched('idempotency'),
    notifications: untouched('notifications'),
    users: untouched('users'),
    policy: untouched('policy'),
    templates: untouched('templates'),
    changes: { redis: untouched<Redis>('redis'), topicPrefix: 'openapi-test', log: silentLog },
    clock: Date.now,
    metrics: { accepted: metricsFor.acceptedRequests(registry) },
    bodyLimit: 64 * 1024,
    batchBodyLimit: 1024 * 1024,
    public: {
      unsubscribeSecret: 'openapi-test-unsubscribe-secret-0123456789',
      publicBaseUrl: 'https://herald.example.test',
      verifiers: { sendgrid: null, twilio: null },
      suppress: () => Promise.reject(new Error('suppress was called')),
    },
  };
  app = buildApp(deps);
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  document = res.json<OpenApiDocument>();
});

afterAll(() => app.close());

type Operation = { operationId: string; security: unknown[]; requestBody?: unknown };
const operations = () =>
  Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op: op as Operation })),
  );

/** The document's schemas compiled as a JSON Schema 2020-12 validator would (OpenAPI 3.1's dialect). */
function documentedSchema(pointer: unknown): (value: unknown) => boolean {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'doc', components: document.components }, 'doc');
  const check = ajv.compile({ $ref: `doc#/components/schemas/${String(pointer)}` });
  return (value) => check(value);
}

const send = (url: string, payload: unknown) =>
  app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${SEND_KEY}` },
    payload: payload as object,
  });

describe('the ingest OpenAPI document', () => {
  it('is valid OpenAPI 3.1, without warnings', async () => {
    expect(await openApiWarnings(document)).toEqual([]);
  });

  it('describes every /v1 route the app serves, and no other', () => {
    const served = servedRoutes(app);
    expect(served).toEqual(expect.arrayContaining(['GET /openapi.json', 'GET /docs', 'GET /healthz']));
    const documented = operations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    expect(documented).toEqual(served.filter((r) => r.split(' ')[1]?.startsWith('/v1/')));
    expect(documented.length).toBeGreaterThanOrEqual(27);
  });

  it('says which operations need a key, as the app does: those refuse a request without one', async () => {
    for (const { method, path, op } of operations()) {
      const url = path.replace(/\{\w+\}/g, 'x');
      const res = await app.inject({ method: method as 'GET', url });
      const needsKey = op.security.length > 0;
      expect({ op: op.operationId, refused: res.statusCode === 401 }).toEqual({
        op: op.operationId,
        refused: needsKey,
      });
    }
    expect(document.paths['/v1/categories']?.get?.security).toEqual([{ apiKey: ['admin'] }]);
    expect(document.paths['/v1/notifications']?.post?.security).toEqual([{ apiKey: ['send'] }]);
  });
});

describe('POST /v1/notifications: the documented body is the one the handler validates with', () => {
  const accepted: [string, unknown][] = [
    ['a user id alone', { userId: 'user-1' }],
    [
      'every field',
      {
        userId: 'user-1',
        category: 'billing',
        priority: 'critical',
        templateId: 'invoice-ready',
        channels: ['email', 'push'],
        data: { amount: 12, items: [{ name: 'a' }] },
        dedupKey: 'invoice-42',
        dedupWindowSeconds: 600,
        tags: ['finance'],
        push: { ttlSeconds: 60, collapseKey: 'invoice' },
        sendAt: '2099-01-01T09:00:00+02:00',
        expiresAt: '2099-01-02T09:00:00Z',
        locale: 'pt-BR',
        to: { email: 'someone@example.com', phone: '+14155550100', deviceTokens: ['token-1'] },
      },
    ],
  ];
  const refused: [string, unknown][] = [
    ['no user id', { category: 'billing' }],
    ['an unknown field', { userId: 'user-1', colour: 'red' }],
    ['an unknown priority', { userId: 'user-1', priority: 'urgent' }],
    ['no channels', { userId: 'user-1', channels: [] }],
    ['a channel twice', { userId: 'user-1', channels: ['sms', 'sms'] }],
    ['an unknown channel', { userId: 'user-1', channels: ['fax'] }],
    ['a malformed email', { userId: 'user-1', to: { email: 'not-an-email' } }],
    ['a phone number without +', { userId: 'user-1', to: { phone: '4155550100' } }],
    ['a date without a zone', { userId: 'user-1', sendAt: '2099-01-01T09:00:00' }],
    ['a negative dedup window', { userId: 'user-1', dedupWindowSeconds: -1 }],
    ['a fractional ttl', { userId: 'user-1', push: { ttlSeconds: 1.5 } }],
    ['an unknown push option', { userId: 'user-1', push: { sound: 'ding' } }],
    ['a user id that is a number', { userId: 42 }],
    ['not an object', ['user-1']],
  ];

  it('accepts what the handler accepts', async () => {
    const body = document.paths['/v1/notifications']?.post?.requestBody as {
      content: Record<string, { schema: unknown }>;
    };
    expect(body.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/NotificationInput',
    });
    const documented = documentedSchema('NotificationInput');
    for (const [name, example] of accepted) {
      const res = await send('/v1/notifications', example);
      expect({ name, handler: res.statusCode, documented: documented(example) }).toEqual({
        name,
        handler: 202,
        documented: true,
      });
    }
    expect(published).toHaveLength(accepted.length);
  });

  it('refuses what the handler refuses', async () => {
    const documented = documentedSchema('NotificationInput');
    for (const [name, example] of refused) {
      const res = await send('/v1/notifications', example);
      expect({ name, handler: res.statusCode, documented: documented(example) }).toEqual({
        name,
        handler: 400,
        documented: false,
      });
    }
  });

  it('documents each batch item as that same body, judged on its own', async () => {
    const documented = documentedSchema('NotificationInput');
    const items = [...accepted, ...refused].map(([, example]) => example);
    const res = await send('/v1/notifications/batch', { notifications: items });
    expect(res.statusCode).toBe(202);
    const { results } = res.json<{ results: { status: string }[] }>();
    expect(results.map((r) => r.status === 'accepted')).toEqual(items.map((item) => documented(item)));
    const batch = document.paths['/v1/notifications/batch']?.post?.requestBody as {
      content: Record<string, { schema: { properties: { notifications: { items: unknown } } } }>;
    };
    expect(batch.content['application/json']?.schema.properties.notifications.items).toEqual({
      $ref: '#/components/schemas/NotificationInput',
    });
  });

  it('documents the 202 and the error body as the handler sends them', async () => {
    const ok = await send('/v1/notifications', { userId: 'user-1' });
    const responses = document.paths['/v1/notifications']?.post?.responses as Record<
      string,
      { content: Record<string, { schema: object }> }
    >;
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'doc', components: document.components }, 'doc');
    const accepted202 = ajv.compile({
      ...responses['202']?.content['application/json']?.schema,
      $id: 'r202',
    });
    expect(accepted202(ok.json())).toBe(true);
    const bad = await send('/v1/notifications', { userId: 'user-1', colour: 'red' });
    expect(bad.json()).toEqual({
      error: { code: 'validation_failed', message: 'colour: unknown field', field: 'colour' },
    });
    expect(ajv.compile({ $ref: 'doc#/components/schemas/Error' })(bad.json())).toBe(true);
    for (const status of ['400', '401', '403', '409', '413', '415', '422', '503']) {
      expect(responses[status]?.content['application/json']?.schema).toEqual({
        $ref: '#/components/schemas/Error',
      });
    }
  });
});

describe('the ingest docs page', () => {
  it('is served without an API key, and every file it references loads', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map(
      (m) => new URL(m[1] ?? '', 'http://h/docs').pathname,
    );
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const url of refs) {
      const res = await app.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      expect(res.rawPayload.length).toBeGreaterThan(0);
    }
    const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.body).toContain('SwaggerUIBundle');
  });
});
