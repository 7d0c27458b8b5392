import pino from 'pino';
import {
  HeraldError,
  apiRoute,
  buildOpsServer,
  collectApiRoutes,
  createRegistry,
  registerApiDocs,
  registerErrorHandler,
  registerRequestMetrics,
  z,
} from '../../src';
import type { FastifyInstance, Registry } from '../../src';

/** An API server as ingest and the dlq build theirs: ops routes, error handler, metrics, routes. */
function apiApp(registry: Registry): FastifyInstance {
  const app = buildOpsServer({ registry, readiness: { draining: false, checks: [] } });
  registerErrorHandler(app, pino({ level: 'silent' }));
  registerRequestMetrics(app, registry);
  const routes = collectApiRoutes(app);
  apiRoute(
    app,
    {
      method: 'POST',
      url: '/v1/things/:id',
      operationId: 'createThing',
      summary: 'A thing',
      tags: ['things'],
      access: 'send',
      params: z.object({ id: z.string().min(1) }),
      body: z.object({ name: z.string().min(1) }),
      errors: { 409: 'Already there.' },
      responses: { 202: { description: 'Accepted.', schema: z.object({ id: z.string() }) } },
    } as const,
    async ({ params }, _request, reply) => reply.code(202).send({ id: params.id }),
  );
  app.get('/v1/gadgets/:id', (request) => {
    const { id } = request.params as { id: string };
    if (id === 'missing') throw new HeraldError('not_found', `no thing ${id}`);
    throw new Error('the store fell over');
  });
  // A hook that refuses before the handler runs, as apiKeyAuth does.
  void app.register((guarded, _opts, done) => {
    guarded.addHook('onRequest', async (_request, reply) => reply.code(401).send({ error: 'unauthorized' }));
    guarded.get('/v1/admin/things', () => ({ ok: true }));
    done();
  });
  registerApiDocs(
    app,
    routes,
    {
      title: 'Things',
      version: '1.0.0',
      description: 'A test API.',
      tags: [{ name: 'things', description: 'Things.' }],
      documentedPrefix: '/v1/things',
    },
    // Swagger UI's own files are not asked for here (docs.js is the page's, served from memory).
    { swaggerUiDir: '/nonexistent/swagger-ui-dist' },
  );
  return app;
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

async function samples(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  return (await metric.get()).values as Sample[];
}

/** The exposition text's series lines, their labels in any order. */
async function scrapedSeries(
  registry: Registry,
): Promise<{ name: string; labels: Record<string, string>; value: number }[]> {
  return (await registry.metrics()).split('\n').flatMap((line) => {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m?.[1] || m[2] === undefined || m[3] === undefined) return [];
    const labels = Object.fromEntries(
      [...m[2].matchAll(/(\w+)="([^"]*)"/g)].map(([, k = '', v = '']) => [k, v]),
    );
    return [{ name: m[1], labels, value: Number(m[3]) }];
  });
}

/** The requests counted, as `METHOD route status=count`; series still at 0 left out. */
async function counts(registry: Registry): Promise<string[]> {
  return (await samples(registry, 'herald_http_requests_total'))
    .filter((s) => s.value > 0)
    .map((s) => `${s.labels.method} ${s.labels.route} ${s.labels.status_code}=${s.value}`)
    .sort();
}

describe('API request metrics', () => {
  let registry: Registry;
  let app: FastifyInstance;

  beforeEach(async () => {
    registry = createRegistry('request-metrics-test');
    app = apiApp(registry);
    await app.ready();
  });
  afterEach(() => app.close());

  it("starts each route's timing, and the count of each status its spec documents, at 0", async () => {
    const requests = await samples(registry, 'herald_http_requests_total');
    expect(
      requests.map((s) => `${s.labels.method} ${s.labels.route} ${s.labels.status_code}=${s.value}`),
    ).toEqual(['POST /v1/things/:id 202=0', 'POST /v1/things/:id 409=0']);
    const timed = (await samples(registry, 'herald_http_request_duration_seconds'))
      .filter((s) => s.metricName === 'herald_http_request_duration_seconds_count')
      .map((s) => `${s.labels.method} ${s.labels.route}=${s.value}`)
      .sort();
    // Not the probes, the scrape, the docs page's files, nor Fastify's implicit HEAD routes.
    expect(timed).toEqual([
      'GET /openapi.json=0',
      'GET /v1/admin/things=0',
      'GET /v1/gadgets/:id=0',
      'POST /v1/things/:id=0',
    ]);
  });

  it('counts each reply by method, route template and status code', async () => {
    const post = (url: string, payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url, payload });
    expect((await post('/v1/things/a-1', { name: 'x' })).statusCode).toBe(202);
    expect((await post('/v1/things/b-2', { name: 'y' })).statusCode).toBe(202);
    expect((await post('/v1/things/a-1', { name: '' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/gadgets/missing' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/gadgets/broken' })).statusCode).toBe(500);
    expect((await app.inject({ method: 'GET', url: '/v1/admin/things' })).statusCode).toBe(401);

    expect(await counts(registry)).toEqual([
      'GET /v1/admin/things 401=1',
      'GET /v1/gadgets/:id 404=1',
      'GET /v1/gadgets/:id 500=1',
      'POST /v1/things/:id 202=2',
      'POST /v1/things/:id 400=1',
    ]);
  });

  it('counts requests that matched no route under one route label, whatever the URL', async () => {
    for (const url of ['/nowhere', '/v1/things', `/v1/${'x'.repeat(50)}?q=1`]) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    expect((await app.inject({ method: 'DELETE', url: '/v1/things/a-1' })).statusCode).toBe(404);
    expect(await counts(registry)).toEqual(['DELETE unmatched 404=1', 'GET unmatched 404=3']);
  });

  it('leaves out the probes, the scrape and the docs page, and counts the OpenAPI document', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/docs', '/docs/static/docs.js']) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
    }
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
    expect(await counts(registry)).toEqual(['GET /openapi.json 200=1']);
  });

  it('times each request in seconds, by method and route', async () => {
    await app.inject({ method: 'POST', url: '/v1/things/a-1', payload: { name: 'x' } });
    await app.inject({ method: 'GET', url: '/v1/gadgets/broken' });
    await app.inject({ method: 'GET', url: '/nowhere' });
    // The routes asked for; the others' series stay at 0.
    const asked = new Set(['GET /v1/gadgets/:id', 'GET unmatched', 'POST /v1/things/:id']);
    const duration = (await samples(registry, 'herald_http_request_duration_seconds')).filter((s) =>
      asked.has(`${s.labels.method} ${s.labels.route}`),
    );
    const counted = duration
      .filter((s) => s.metricName === 'herald_http_request_duration_seconds_count')
      .map((s) => `${s.labels.method} ${s.labels.route}=${s.value}`)
      .sort();
    expect(counted).toEqual(['GET /v1/gadgets/:id=1', 'GET unmatched=1', 'POST /v1/things/:id=1']);
    // In-process injection takes well under the 30 s top bucket: every request is in it.
    const top = duration.filter(
      (s) => s.metricName === 'herald_http_request_duration_seconds_bucket' && s.labels.le === 30,
    );
    expect(top.map((s) => s.value)).toEqual([1, 1, 1]);
    const sums = duration.filter((s) => s.metricName === 'herald_http_request_duration_seconds_sum');
    for (const s of sums) expect(s.value).toBeGreaterThan(0);
    for (const s of sums) expect(s.value).toBeLessThan(30);
    // As scraped: the route template as a label, and the service label every Herald series carries.
    const scraped = await scrapedSeries(registry);
    expect(scraped).toContainEqual({
      name: 'herald_http_request_duration_seconds_count',
      labels: { service: 'request-metrics-test', method: 'POST', route: '/v1/things/:id' },
      value: 1,
    });
    expect(scraped).toContainEqual({
      name: 'herald_http_requests_total',
      labels: { service: 'request-metrics-test', method: 'GET', route: 'unmatched', status_code: '404' },
      value: 1,
    });
  });
});
