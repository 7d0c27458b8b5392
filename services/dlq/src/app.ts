import { apiKeyAuth, buildOpsServer, parseInput, registerErrorHandler, z } from '@herald/shared';
import type { Runtime } from '@herald/shared';
import type { FastifyInstance } from '@herald/shared';
import type { DeadLetterStore } from './adapters/dead-letters';

const listQuery = z.object({
  reason: z
    .string()
    .regex(/^[a-z_]+$/)
    .optional(),
  notificationId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.string().regex(/^\d+$/, 'expected a dead-letter id').optional(),
});

/** The dead-letter admin API beside /healthz, /readyz and /metrics. Built, not started. */
export function buildApp(
  rt: Pick<Runtime, 'registry' | 'readiness' | 'pool' | 'log'>,
  deadLetters: DeadLetterStore,
): FastifyInstance {
  const app = buildOpsServer(rt);
  registerErrorHandler(app, rt.log);
  const auth = apiKeyAuth(rt.pool, 'admin');
  app.get('/v1/dead-letters', { onRequest: auth }, async (request) => {
    const q = parseInput(listQuery, request.query, 'query');
    const items = await deadLetters.list({
      limit: q.limit,
      ...(q.reason ? { reason: q.reason } : {}),
      ...(q.notificationId ? { notificationId: q.notificationId } : {}),
      ...(q.before ? { beforeId: q.before } : {}),
    });
    const last = items.at(-1);
    return { deadLetters: items, next: items.length === q.limit && last ? last.id : null };
  });
  return app;
}
