import { HeraldError, announceChange, apiRoute, quietHoursSchema, z } from '@herald/shared';
import type { FastifyInstance, Logger, Redis } from '@herald/shared';
import { categoryIdSchema } from '@herald/shared/domain';
import { userIdSchema } from '../domain/notification-input';
import { timeZoneSchema } from '../domain/time-zone';
import type { PolicyRepo } from '../adapters/policy-repo';
import { preferencesSchema, quietHoursAnswerSchema } from './api-schemas';

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

  const tags = ['preferences'];
  const noUser = { 404: 'No such user: create it with PUT /v1/users/{id} first.' };
  const common = { tags, access: 'send', params: userParams, errors: noUser } as const;

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/users/:id/preferences',
      operationId: 'getPreferences',
      summary: 'A user’s preferences',
      responses: { 200: { description: 'The preferences.', schema: preferencesSchema } },
    },
    async ({ params: { id } }) => {
      const prefs = await deps.policy.preferences(id);
      if (!prefs) throw notFound(id);
      return prefs;
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'PUT',
      url: '/v1/users/:id/preferences',
      operationId: 'putPreferences',
      summary: 'Replace a user’s preferences',
      description:
        'Per category, per channel, whether the user wants it; `unsubscribed` stops everything but required categories.',
      body: preferencesBody,
      responses: { 200: { description: 'The preferences now.', schema: preferencesSchema } },
    },
    async ({ params: { id }, body }) => {
      if (!(await deps.policy.setPreferences(id, body))) throw notFound(id);
      await changed(id);
      return body;
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/users/:id/quiet-hours',
      operationId: 'getQuietHours',
      summary: 'A user’s quiet hours',
      responses: {
        200: { description: 'The quiet hours (none: no rules).', schema: quietHoursAnswerSchema },
      },
    },
    async ({ params: { id } }) => {
      const quiet = await deps.policy.quietHours(id);
      if (quiet === false) throw notFound(id);
      return quiet ?? { timezone: null, rules: [] };
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'PUT',
      url: '/v1/users/:id/quiet-hours',
      operationId: 'putQuietHours',
      summary: 'Replace a user’s quiet hours',
      description:
        'Windows in the given time zone (the user’s own when none is given) in which non-critical notifications wait.',
      body: quietHoursBody,
      responses: { 200: { description: 'The quiet hours now.', schema: quietHoursAnswerSchema } },
    },
    async ({ params: { id }, body }) => {
      const quiet = { timezone: body.timezone ?? null, rules: body.rules };
      if (!(await deps.policy.setQuietHours(id, quiet))) throw notFound(id);
      await changed(id);
      return quiet;
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'DELETE',
      url: '/v1/users/:id/quiet-hours',
      operationId: 'deleteQuietHours',
      summary: 'Remove a user’s quiet hours',
      errors: { 404: 'No such user, or no quiet hours set.' },
      responses: { 204: { description: 'Removed.' } },
    },
    async ({ params: { id } }, _request, reply) => {
      if (!(await deps.policy.removeQuietHours(id))) throw new HeraldError('not_found', 'no quiet hours set');
      await changed(id);
      return reply.code(204).send();
    },
  );
}
