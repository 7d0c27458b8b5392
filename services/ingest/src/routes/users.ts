import { HeraldError, announceChange, parseInput, z } from '@herald/shared';
import type { FastifyInstance } from '@herald/shared';
import { localeSchema, phoneSchema, textSchema, userIdSchema } from '../domain/notification-input';
import type { UsersRepo } from '../adapters/users-repo';
import { timeZoneSchema } from '../domain/time-zone';
import type { ChangeDeps } from './preferences';

const userBody = z.strictObject({
  email: z.email().nullable().default(null),
  phone: phoneSchema.nullable().default(null),
  locale: localeSchema.default('en'),
  timezone: timeZoneSchema.default('UTC'),
});

const deviceBody = z.strictObject({
  token: textSchema(4096),
  platform: z.enum(['ios', 'android', 'web']),
});

const userParams = z.object({ id: userIdSchema });
const deviceParams = z.object({ id: userIdSchema, token: textSchema(4096) });

/** Every change to a user's addresses or devices is announced, so routers drop their copy at once. */
export function userRoutes(app: FastifyInstance, deps: { users: UsersRepo; changes: ChangeDeps }): void {
  const changed = (userId: string) =>
    announceChange(deps.changes.redis, deps.changes.topicPrefix, { kind: 'user', userId }, deps.changes.log);

  app.put('/v1/users/:id', async (request, reply) => {
    const { id } = parseInput(userParams, request.params, 'params');
    const body = parseInput(userBody, request.body ?? {});
    const { created } = await deps.users.upsert({ id, ...body });
    await changed(id);
    return reply.code(created ? 201 : 200).send({ id, ...body });
  });

  app.get('/v1/users/:id', async (request) => {
    const { id } = parseInput(userParams, request.params, 'params');
    const user = await deps.users.find(id);
    if (!user) throw new HeraldError('not_found', `user ${id} not found`);
    return user;
  });

  app.post('/v1/users/:id/devices', async (request, reply) => {
    const { id } = parseInput(userParams, request.params, 'params');
    const body = parseInput(deviceBody, request.body);
    if (!(await deps.users.addDevice(id, body.token, body.platform))) {
      throw new HeraldError('not_found', `user ${id} not found: create it with PUT /v1/users/${id} first`);
    }
    await changed(id);
    return reply.code(201).send({ userId: id, platform: body.platform });
  });

  app.delete('/v1/users/:id/devices/:token', async (request, reply) => {
    const { id, token } = parseInput(deviceParams, request.params, 'params');
    if (!(await deps.users.removeDevice(id, token))) throw new HeraldError('not_found', 'device not found');
    await changed(id);
    return reply.code(204).send();
  });
}
