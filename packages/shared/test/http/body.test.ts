import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buildOpsServer, createRegistry, registerErrorHandler } from '../../src';
import type { FastifyInstance } from '../../src';
import pino from 'pino';

/** The body handling every Herald server gets from buildOpsServer, on an echo route. */
function echoApp(bodyLimit = 1024): FastifyInstance {
  const app = buildOpsServer(
    { registry: createRegistry('body-test'), readiness: { draining: false, checks: [] } },
    { bodyLimit },
  );
  registerErrorHandler(app, pino({ level: 'silent' }));
  app.post('/echo', (request) => ({ body: request.body ?? null }));
  // A route allowed a larger body than the server's (a batch endpoint).
  app.post('/big/:id', { bodyLimit: bodyLimit * 4 }, (request) => ({ body: request.body ?? null }));
  app.get('/items/:id', (request) => request.params);
  return app;
}

const post = (
  app: FastifyInstance,
  payload: string | Buffer | Readable,
  headers: Record<string, string> = {},
) =>
  app.inject({
    method: 'POST',
    url: '/echo',
    payload,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('request bodies', () => {
  it('parses JSON and leaves an empty body to the route', async () => {
    const app = echoApp();
    expect((await post(app, '{"a":[1,2]}')).json()).toEqual({ body: { a: [1, 2] } });
    expect((await post(app, '')).json()).toEqual({ body: null });
  });

  it('answers 413 with a JSON error for a body over the limit, declared or chunked', async () => {
    const app = echoApp(100);
    const declared = await post(app, `"${'x'.repeat(200)}"`);
    expect(declared.statusCode).toBe(413);
    expect(declared.json()).toEqual({
      error: { code: 'payload_too_large', message: 'request body is larger than 100 bytes' },
    });
    const chunks = Readable.from([Buffer.from('"'), Buffer.from('x'.repeat(300)), Buffer.from('"')]);
    const streamed = await post(app, chunks, { 'transfer-encoding': 'chunked' });
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json<{ error: { code: string } }>().error.code).toBe('payload_too_large');
  });

  it('answers 400 naming the body for one nested 20,000 deep', async () => {
    const res = await post(echoApp(1024 * 1024), '['.repeat(20_000) + ']'.repeat(20_000));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'body is nested deeper than 32 levels of arrays and objects',
        field: 'body',
      },
    });
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }, 'content-type'],
    ['no Content-Type', { 'content-type': '' }, 'content-type'],
    ['gzip', { 'content-encoding': 'gzip' }, 'content-encoding'],
  ])('answers 415 for %s', async (_name, headers, field) => {
    const res = await post(echoApp(), '{}', headers);
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ error: expect.objectContaining({ code: 'unsupported_media_type', field }) });
  });

  it('answers 400 with Herald’s body for a path that is not valid percent-encoding', async () => {
    const res = await echoApp().inject({ method: 'GET', url: '/items/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: expect.objectContaining({ code: 'validation_failed', field: 'url' }),
    });
  });

  it('lets long path segments reach the route', async () => {
    const id = 'a'.repeat(5000);
    expect((await echoApp().inject({ method: 'GET', url: `/items/${id}` })).json()).toEqual({ id });
  });
});

describe('a route with its own bodyLimit', () => {
  const big = (app: FastifyInstance, payload: string | Readable, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/big/1?x=1',
      payload,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const text = (n: number) => `"${'x'.repeat(n - 2)}"`;

  it('takes a body over the server limit up to its own, declared or chunked', async () => {
    const app = echoApp(100);
    expect((await big(app, text(400))).statusCode).toBe(200);
    const chunks = Readable.from([Buffer.from(text(300))]);
    expect((await big(app, chunks, { 'transfer-encoding': 'chunked' })).statusCode).toBe(200);
  });

  it('answers 413 above its own limit, naming that limit', async () => {
    const app = echoApp(100);
    const declared = await big(app, text(401));
    expect(declared.statusCode).toBe(413);
    expect(declared.json()).toEqual({
      error: { code: 'payload_too_large', message: 'request body is larger than 400 bytes' },
    });
    const chunks = Readable.from([Buffer.from(text(500))]);
    expect((await big(app, chunks, { 'transfer-encoding': 'chunked' })).statusCode).toBe(413);
  });

  it('leaves the server limit on every other route', async () => {
    const res = await post(echoApp(100), text(101));
    expect(res.statusCode).toBe(413);
    expect(res.json<{ error: { message: string } }>().error.message).toBe(
      'request body is larger than 100 bytes',
    );
  });

  /** What a server answers an `Expect: 100-continue` request of `length` bytes: 100 or a final status. */
  function expectContinue(port: number, path: string, length: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': String(length),
          expect: '100-continue',
        },
      });
      req.on('continue', () => {
        resolve(100);
        req.destroy();
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', (err) => reject(err));
      req.flushHeaders();
    });
  }

  it('is the limit a 100-continue request is judged by, before routing', async () => {
    const app = echoApp(100);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      expect(await expectContinue(port, '/big/7?q=1', 400)).toBe(100);
      expect(await expectContinue(port, '/big/7', 401)).toBe(413);
      expect(await expectContinue(port, '/echo', 101)).toBe(413);
      expect(await expectContinue(port, '/echo', 100)).toBe(100);
    } finally {
      await app.close();
    }
  });
});
