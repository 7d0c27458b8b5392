import { UUID, apiKeyAuth, buildOpsServer, parseInput, registerErrorHandler, z } from '@herald/shared';
import type { Runtime } from '@herald/shared';
import type { FastifyInstance } from '@herald/shared';
import type { DeadLetterStore } from './adapters/dead-letters';

const LIMIT_HINT = 'expected a whole number from 1 to 500';

/** Unknown parameters are refused: a misspelt filter must not silently list everything. */
const listQuery = z.strictObject({
  reason: z
    .string()
    .regex(/^[a-z_]{1,64}$/, 'expected a reason code such as provider_rejected')
    .optional(),
  notificationId: z.string().regex(UUID, 'expected a notification id (UUID)').optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, LIMIT_HINT)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, LIMIT_HINT)
    .default(50),
  // A Postgres bigint: at most 18 digits keeps it in range.
  before: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, 'expected a dead-letter id')
    .optional(),
});

/** The dead-letter admin API beside /healthz, /readyz and /metrics. Built, not started. */
export function buildApp(
  rt: Pick<Runtime<{ postgres: true }>, 'registry' | 'readiness' | 'pool' | 'log'>,
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
