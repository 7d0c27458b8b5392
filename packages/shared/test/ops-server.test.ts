import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { registerOpsRoutes } from '@herald/shared';
import type { Readiness } from '@herald/shared';

function app(readiness: Readiness) {
  const server = Fastify();
  registerOpsRoutes(server, { registry: new Registry(), readiness });
  return server;
}

describe('ops routes', () => {
  it('is ready only when every check passes, naming the failing ones', async () => {
    const readiness: Readiness = {
      draining: false,
      checks: [
        { name: 'kafka', check: () => Promise.resolve(true) },
        { name: 'postgres', check: () => Promise.reject(new Error('ECONNREFUSED')) },
      ],
    };
    const server = app(readiness);
    const down = await server.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'not ready', checks: { kafka: 'ok', postgres: 'failing' } });
    readiness.checks.pop();
    expect((await server.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    readiness.draining = true;
    const draining = await server.inject({ method: 'GET', url: '/readyz' });
    expect(draining.statusCode).toBe(503);
    expect(draining.json()).toEqual(expect.objectContaining({ status: 'draining' }));
    expect((await server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('treats a check that hangs as failing instead of hanging the probe', async () => {
    const server = app({
      draining: false,
      checks: [{ name: 'redis', check: () => new Promise(() => undefined) }],
    });
    const res = await server.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not ready', checks: { redis: 'failing' } });
  });
});
