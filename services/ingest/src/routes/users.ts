import { HeraldError, announceChange, apiRoute, z } from '@herald/shared';
import type { FastifyInstance } from '@herald/shared';
import { localeSchema, phoneSchema, textSchema, userIdSchema } from '../domain/notification-input';
import type { UsersRepo } from '../adapters/users-repo';
import { timeZoneSchema } from '../domain/time-zone';
import type { ChangeDeps } from './preferences';
import { deviceAddedSchema, userSchema, userWithDevicesSchema } from './api-schemas';

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

  const tags = ['users'];
  const noUser = { 404: 'No such user: create it with PUT /v1/users/{id} first.' };

  const put = {
    method: 'PUT',
    url: '/v1/users/:id',
    operationId: 'putUser',
    summary: 'Create or replace a user',
    description: 'Fields left out take their defaults: a replaced user loses what is not sent again.',
    tags,
    access: 'send',
    params: userParams,
    body: userBody,
    optionalBody: 'absent-or-null',
    responses: {
      200: { description: 'Replaced.', schema: userSchema },
      201: { description: 'Created.', schema: userSchema },
    },
  } as const;
  apiRoute(app, put, async ({ params: { id }, body }, _request, reply) => {
    const { created } = await deps.users.upsert({ id, ...body });
    await changed(id);
    return reply.code(created ? 201 : 200).send({ id, ...body });
  });

  const get = {
    method: 'GET',
    url: '/v1/users/:id',
    operationId: 'getUser',
    summary: 'A user, with their devices',
    tags,
    access: 'send',
    params: userParams,
    errors: { 404: 'No such user.' },
    responses: { 200: { description: 'The user.', schema: userWithDevicesSchema } },
  } as const;
  apiRoute(app, get, async ({ params: { id } }) => {
    const user = await deps.users.find(id);
    if (!user) throw new HeraldError('not_found', `user ${id} not found`);
    return user;
  });

  const addDevice = {
    method: 'POST',
    url: '/v1/users/:id/devices',
    operationId: 'addDevice',
    summary: 'Register a push device token',
    tags,
    access: 'send',
    params: userParams,
    body: deviceBody,
    errors: noUser,
    responses: { 201: { description: 'Registered (again, if it was).', schema: deviceAddedSchema } },
  } as const;
  apiRoute(app, addDevice, async ({ params: { id }, body }, _request, reply) => {
    if (!(await deps.users.addDevice(id, body.token, body.platform))) {
      throw new HeraldError('not_found', `user ${id} not found: create it with PUT /v1/users/${id} first`);
    }
    await changed(id);
    return reply.code(201).send({ userId: id, platform: body.platform });
  });

  const removeDevice = {
    method: 'DELETE',
    url: '/v1/users/:id/devices/:token',
    operationId: 'removeDevice',
    summary: 'Forget a push device token',
    tags,
    access: 'send',
    params: deviceParams,
    errors: { 404: 'No such device for this user.' },
    responses: { 204: { description: 'Removed.' } },
  } as const;
  apiRoute(app, removeDevice, async ({ params: { id, token } }, _request, reply) => {
    if (!(await deps.users.removeDevice(id, token))) throw new HeraldError('not_found', 'device not found');
    await changed(id);
    return reply.code(204).send();
  });
}
