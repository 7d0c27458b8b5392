import { randomUUID } from 'node:crypto';
import { changesChannel, createApiKey, createRedis } from '@herald/shared';
import type { FastifyInstance, Redis } from '@herald/shared';
import { integrationDeps, testEnv, waitFor } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { ingestApp } from '../app-fixture';

/** The preference, quiet-hours and catalogue API on real Postgres and Redis (issue 9). */
let deps: IntegrationDeps;
let app: FastifyInstance;
let sendKey: string;
let adminKey: string;
let subscriber: Redis;
const heard: string[] = [];

beforeAll(async () => {
  deps = await integrationDeps('policy-api');
  app = ingestApp(deps);
  sendKey = await createApiKey(deps.pool, 'policy-send');
  adminKey = await createApiKey(deps.pool, 'policy-admin', ['send', 'admin']);
  subscriber = createRedis(testEnv.redisUrl);
  subscriber.on('message', (_channel: string, message: string) => heard.push(message));
  await subscriber.subscribe(changesChannel(deps.prefix));
});
afterAll(async () => {
  await subscriber?.quit();
  await app?.close();
  await deps?.close();
});

const call = async (
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  key = sendKey,
) => {
  const res = await app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
};

async function newUser(): Promise<string> {
  const id = `api-${randomUUID()}`;
  expect(
    (await call('PUT', `/v1/users/${id}`, { email: 'ada@example.com', timezone: 'Europe/Paris' })).status,
  ).toBe(201);
  return id;
}

describe('preferences', () => {
  it('stores, returns and replaces a user’s preferences, and announces each change', async () => {
    const id = await newUser();
    expect(await call('GET', `/v1/users/${id}/preferences`)).toEqual({
      status: 200,
      body: { categories: {}, unsubscribed: false },
    });
    const prefs = {
      categories: { marketing: { email: false, push: true }, 'order.shipped': { sms: false } },
      unsubscribed: false,
    };
    expect((await call('PUT', `/v1/users/${id}/preferences`, prefs)).status).toBe(200);
    expect((await call('GET', `/v1/users/${id}/preferences`)).body).toEqual(prefs);
    await waitFor('the change announced', () => heard.includes(`user:${id}`));
    const { rows } = await deps.pool.query(
      'SELECT category, channel, enabled FROM preferences WHERE user_id = $1 ORDER BY category, channel',
      [id],
    );
    expect(rows).toEqual([
      { category: 'marketing', channel: 'EMAIL', enabled: false },
      { category: 'marketing', channel: 'PUSH', enabled: true },
      { category: 'order.shipped', channel: 'SMS', enabled: false },
    ]);
    await call('PUT', `/v1/users/${id}/preferences`, { unsubscribed: true });
    expect((await call('GET', `/v1/users/${id}/preferences`)).body).toEqual({
      categories: {},
      unsubscribed: true,
    });
  });

  it('refuses bad input with the field, and an unknown user with 404', async () => {
    const id = await newUser();
    const bad = await call('PUT', `/v1/users/${id}/preferences`, {
      categories: { marketing: { fax: false } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual(
      expect.objectContaining({ code: 'validation_failed', field: 'categories.marketing.fax' }),
    );
    const notBool = await call('PUT', `/v1/users/${id}/preferences`, {
      categories: { marketing: { email: 'no' } },
    });
    expect(notBool.body.error).toEqual(expect.objectContaining({ field: 'categories.marketing.email' }));
    expect((await call('GET', '/v1/users/nobody-here/preferences')).status).toBe(404);
    expect((await call('PUT', '/v1/users/nobody-here/preferences', {})).status).toBe(404);
  });
});

describe('quiet hours', () => {
  it('stores, returns and removes quiet hours, announcing each change', async () => {
    const id = await newUser();
    expect((await call('GET', `/v1/users/${id}/quiet-hours`)).body).toEqual({ timezone: null, rules: [] });
    const quiet = {
      timezone: 'America/New_York',
      rules: [{ days: ['mon', 'fri'], start: '22:00', end: '07:00' }],
    };
    expect(await call('PUT', `/v1/users/${id}/quiet-hours`, quiet)).toEqual({ status: 200, body: quiet });
    expect((await call('GET', `/v1/users/${id}/quiet-hours`)).body).toEqual(quiet);
    expect((await call('DELETE', `/v1/users/${id}/quiet-hours`)).status).toBe(204);
    expect((await call('DELETE', `/v1/users/${id}/quiet-hours`)).status).toBe(404);
    await waitFor('the changes announced', () => heard.filter((m) => m === `user:${id}`).length >= 2);
  });

  it.each([
    [{ timezone: 'Mars/Olympus', rules: [] }, 'timezone'],
    [{ rules: [{ days: ['mon'], start: '24:00', end: '07:00' }] }, 'rules.0.start'],
    [{ rules: [{ days: [], start: '22:00', end: '07:00' }] }, 'rules.0.days'],
    [{ rules: [{ days: ['monday'], start: '22:00', end: '07:00' }] }, 'rules.0.days.0'],
    [{ rules: [{ days: ['mon', 'mon'], start: '22:00', end: '07:00' }] }, 'rules.0.days'],
    [{ rules: [{ days: ['mon'], start: '22:00', end: '07:00', tz: 'x' }] }, 'rules.0.tz'],
  ])('refuses %j (field %s)', async (body, field) => {
    const id = await newUser();
    const res = await call('PUT', `/v1/users/${id}/quiet-hours`, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.objectContaining({ code: 'validation_failed', field }));
  });
});

describe('categories and routing rules', () => {
  it('needs the admin scope', async () => {
    expect((await call('GET', '/v1/categories')).status).toBe(403);
    expect((await call('POST', '/v1/routing-rules', { position: 1, channels: ['EMAIL'] })).status).toBe(403);
  });

  it('stores a category’s settings, and shows one nobody configured as optional', async () => {
    const id = `promo-${randomUUID().slice(0, 8)}`;
    expect((await call('GET', `/v1/categories/${id}`, undefined, adminKey)).body).toEqual({
      id,
      required: false,
      caps: [],
    });
    const settings = { required: false, caps: [{ channel: 'SMS', limit: 1, windowSeconds: 86_400 }] };
    expect(await call('PUT', `/v1/categories/${id}`, settings, adminKey)).toEqual({
      status: 201,
      body: { id, ...settings },
    });
    expect((await call('GET', `/v1/categories/${id}`, undefined, adminKey)).body).toEqual({
      id,
      ...settings,
    });
    expect((await call('GET', '/v1/categories/security', undefined, adminKey)).body).toEqual(
      expect.objectContaining({ required: true }),
    );
    await waitFor('the change announced', () => heard.includes('catalog'));
    const bad = await call(
      'PUT',
      `/v1/categories/${id}`,
      { caps: [{ channel: 'SMS', limit: 0, windowSeconds: 60 }] },
      adminKey,
    );
    expect(bad.body.error).toEqual(expect.objectContaining({ field: 'caps.0.limit' }));
  });

  it('creates, lists, replaces and deletes routing rules, validated at save', async () => {
    const rule = {
      position: 5,
      match: {
        categories: ['security'],
        window: { timezone: 'Europe/Paris', days: ['sat', 'sun'], start: '00:00', end: '00:00' },
      },
      channels: ['SMS', 'PUSH'],
      stopProcessing: true,
    };
    const created = await call('POST', '/v1/routing-rules', rule, adminKey);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body).toEqual({ ...rule, id, enabled: true });
    expect((await call('GET', `/v1/routing-rules/${id}`, undefined, adminKey)).body).toEqual(created.body);
    const list = (await call('GET', '/v1/routing-rules', undefined, adminKey)).body.rules as { id: string }[];
    expect(list.map((r) => r.id)).toContain(id);
    expect(
      (await call('PUT', `/v1/routing-rules/${id}`, { ...rule, enabled: false }, adminKey)).body,
    ).toEqual(expect.objectContaining({ id, enabled: false }));
    expect((await call('POST', '/v1/routing-rules', { ...rule, id }, adminKey)).status).toBe(400);
    expect((await call('DELETE', `/v1/routing-rules/${id}`, undefined, adminKey)).status).toBe(204);
    expect((await call('GET', `/v1/routing-rules/${id}`, undefined, adminKey)).status).toBe(404);
  });

  it.each([
    [{ position: 1, channels: [] }, 'channels'],
    [{ position: 1, channels: ['FAX'] }, 'channels.0'],
    [{ position: -1, channels: ['SMS'] }, 'position'],
    [{ position: 1, channels: ['SMS'], match: { priorities: ['URGENT'] } }, 'match.priorities.0'],
    [
      {
        position: 1,
        channels: ['SMS'],
        match: { window: { timezone: 'Nowhere/Land', days: ['mon'], start: '09:00', end: '17:00' } },
      },
      'match.window.timezone',
    ],
    [{ position: 1, channels: ['SMS'], colour: 'red' }, 'colour'],
  ])('refuses the rule %j (field %s)', async (body, field) => {
    const res = await call('POST', '/v1/routing-rules', body, adminKey);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.objectContaining({ code: 'validation_failed', field }));
  });
});

describe('templates', () => {
  it('publishes versions validated at save, lists them, and deletes them', async () => {
    const id = `t-${randomUUID().slice(0, 8)}`;
    const v1 = await call(
      'POST',
      `/v1/templates/${id}/versions`,
      { channel: 'sms', body: 'Hi {{name}}' },
      adminKey,
    );
    expect(v1).toEqual({
      status: 201,
      body: expect.objectContaining({
        id,
        channel: 'SMS',
        locale: 'en',
        version: 1,
        body: 'Hi {{name}}',
        strict: true,
      }) as object,
    });
    const v2 = await call(
      'POST',
      `/v1/templates/${id}/versions`,
      { channel: 'sms', body: 'Hello {{name}}' },
      adminKey,
    );
    expect(v2.body.version).toBe(2);
    const fr = await call(
      'POST',
      `/v1/templates/${id}/versions`,
      { channel: 'email', locale: 'fr', subject: 'Bonjour', html: '<p>Bonjour {{name}}</p>' },
      adminKey,
    );
    expect(fr.body).toEqual(
      expect.objectContaining({ channel: 'EMAIL', locale: 'fr', version: 1, body: null }),
    );
    const all = await call('GET', `/v1/templates/${id}`, undefined, adminKey);
    expect(
      (all.body.versions as { channel: string; version: number }[]).map((v) => `${v.channel}/${v.version}`),
    ).toEqual(['EMAIL/1', 'SMS/2', 'SMS/1']);
    const list = (await call('GET', '/v1/templates', undefined, adminKey)).body.templates as {
      id: string;
      version: number;
    }[];
    expect(list.filter((t) => t.id === id)).toHaveLength(2);
    await waitFor('the change announced', () => heard.includes('catalog'));
    expect((await call('DELETE', `/v1/templates/${id}`, undefined, adminKey)).status).toBe(204);
    expect((await call('GET', `/v1/templates/${id}`, undefined, adminKey)).status).toBe(404);
  });

  it.each([
    [{ channel: 'sms', body: 'Hi {{#if name}}' }, 'body', /^body: does not compile: /],
    [{ channel: 'email', body: 'text only' }, 'subject', /^subject: required for email$/],
    [
      { channel: 'push', body: 'b', data: { link: '{{/each}}' } },
      'data.link',
      /^data\.link: does not compile/,
    ],
    [{ channel: 'fax', body: 'b' }, 'channel', /^channel: /],
    [{ channel: 'sms', body: 'b', locale: 'not a locale' }, 'locale', /^locale: /],
  ])('refuses %j (field %s)', async (body, field, message) => {
    const res = await call('POST', '/v1/templates/refused/versions', body, adminKey);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(
      expect.objectContaining({
        code: 'validation_failed',
        field,
        message: expect.stringMatching(message) as string,
      }),
    );
  });
});
