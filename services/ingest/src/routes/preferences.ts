import { HeraldError, announceChange, parseInput, quietHoursSchema, z } from '@herald/shared';
import type { FastifyInstance, Logger, Redis } from '@herald/shared';
import { categoryIdSchema } from '@herald/shared/domain';
import { userIdSchema } from '../domain/notification-input';
import { timeZoneSchema } from '../domain/time-zone';
import type { PolicyRepo } from '../adapters/policy-repo';

/** Where the API says what it changed, so routers drop their cached copy at once. */
export interface ChangeDeps {
  redis: Redis;
  topicPrefix: string;
  log: Logger;
}

const preferencesBody = z.strictObject({
  categories: z
    .record(
      categoryIdSchema,
      z.strictObject({
        email: z.boolean().optional(),
        sms: z.boolean().optional(),
        push: z.boolean().optional(),
      }),
    )
    .default({})
    .refine((c) => Object.keys(c).length <= 200, 'at most 200 categories'),
  unsubscribed: z.boolean().default(false),
});

const quietHoursBody = quietHoursSchema.extend({ timezone: timeZoneSchema.nullable().optional() });

const userParams = z.object({ id: userIdSchema });
const notFound = (id: string) =>
  new HeraldError('not_found', `user ${id} not found: create it with PUT /v1/users/${id} first`);

/** A user's preferences and quiet hours (docs/api.md): what the router reads before it sends. */
export function preferenceRoutes(
  app: FastifyInstance,
  deps: { policy: PolicyRepo; changes: ChangeDeps },
): void {
  const changed = (userId: string) =>
    announceChange(deps.changes.redis, deps.changes.topicPrefix, { kind: 'user', userId }, deps.changes.log);

  app.get('/v1/users/:id/preferences', async (request) => {
    const { id } = parseInput(userParams, request.params, 'params');
    const prefs = await deps.policy.preferences(id);
    if (!prefs) throw notFound(id);
    return prefs;
  });

  app.put('/v1/users/:id/preferences', async (request) => {
    const { id } = parseInput(userParams, request.params, 'params');
    const body = parseInput(preferencesBody, request.body);
    if (!(await deps.policy.setPreferences(id, body))) throw notFound(id);
    await changed(id);
    return body;
  });

  app.get('/v1/users/:id/quiet-hours', async (request) => {
    const { id } = parseInput(userParams, request.params, 'params');
    const quiet = await deps.policy.quietHours(id);
    if (quiet === false) throw notFound(id);
    return quiet ?? { timezone: null, rules: [] };
  });

  app.put('/v1/users/:id/quiet-hours', async (request) => {
    const { id } = parseInput(userParams, request.params, 'params');
    const body = parseInput(quietHoursBody, request.body);
    const quiet = { timezone: body.timezone ?? null, rules: body.rules };
    if (!(await deps.policy.setQuietHours(id, quiet))) throw notFound(id);
    await changed(id);
    return quiet;
  });

  app.delete('/v1/users/:id/quiet-hours', async (request, reply) => {
    const { id } = parseInput(userParams, request.params, 'params');
    if (!(await deps.policy.removeQuietHours(id))) throw new HeraldError('not_found', 'no quiet hours set');
    await changed(id);
    return reply.code(204).send();
  });
}
