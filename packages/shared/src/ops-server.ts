import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** A named dependency check for /readyz. It resolves true when the dependency is usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

export interface Readiness {
  checks: ReadinessCheck[];
  /** Set on shutdown so load balancers stop routing before anything closes. */
  draining: boolean;
}

const CHECK_TIMEOUT_MS = 1500;

async function runCheck(c: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([c.check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz (process alive), /readyz (every dependency usable), /metrics (Prometheus text). */
export function registerOpsRoutes(
  app: FastifyInstance,
  deps: { registry: Registry; readiness: Readiness },
): void {
  app.get('/healthz', (_req, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const results = await Promise.all(
      deps.readiness.checks.map(async (c) => [c.name, await runCheck(c)] as const),
    );
    const checks = Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'ok' : 'failing']));
    const ready = !deps.readiness.draining && results.every(([, ok]) => ok);
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : deps.readiness.draining ? 'draining' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await deps.registry.metrics();
    return reply.header('content-type', deps.registry.contentType).send(body);
  });
}
