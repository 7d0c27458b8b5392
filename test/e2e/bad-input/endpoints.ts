/** Bad credentials on every endpoint, hostile ids and paths, query parameters, users and devices. */
import { BATCH_PATH, batchBase } from './batch';
import { base, chunked } from './notifications';
import { BIDI, SQL, bad, forbidden, mediaType, nested, notFound, tooLarge, unauthorized } from './types';
import type { BadCase, Expected, Key, Target } from './types';

interface Endpoint {
  target: Target;
  method: string;
  path: string;
  body?: unknown;
  /** The scope it needs; a key with only the other one is refused with 403. */
  scope: 'send' | 'admin';
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const endpoints: Endpoint[] = [
  { target: 'ingest', method: 'POST', path: '/v1/notifications', body: base, scope: 'send' },
  { target: 'ingest', method: 'POST', path: BATCH_PATH, body: batchBase, scope: 'send' },
  { target: 'ingest', method: 'GET', path: `/v1/notifications/${UNKNOWN_ID}`, scope: 'send' },
  { target: 'ingest', method: 'PUT', path: '/v1/users/corpus-user', body: {}, scope: 'send' },
  { target: 'ingest', method: 'GET', path: '/v1/users/corpus-user', scope: 'send' },
  {
    target: 'ingest',
    method: 'POST',
    path: '/v1/users/corpus-user/devices',
    body: { token: 't', platform: 'ios' },
    scope: 'send',
  },
  { target: 'ingest', method: 'DELETE', path: '/v1/users/corpus-user/devices/t', scope: 'send' },
  { target: 'dlq', method: 'GET', path: '/v1/dead-letters', scope: 'admin' },
  { target: 'dlq', method: 'GET', path: '/v1/dead-letters/1', scope: 'admin' },
  { target: 'dlq', method: 'POST', path: '/v1/dead-letters/1/replay', body: {}, scope: 'admin' },
  {
    target: 'dlq',
    method: 'POST',
    path: '/v1/dead-letters/1/discard',
    body: { reason: 'x' },
    scope: 'admin',
  },
  { target: 'dlq', method: 'POST', path: '/v1/dead-letters/replay', body: { ids: [1] }, scope: 'admin' },
  { target: 'dlq', method: 'GET', path: `/v1/dead-letters/replays/${UNKNOWN_ID}`, scope: 'admin' },
];

/** Every endpoint, with every kind of bad credential. */
export function authCases(): BadCase[] {
  const keys: [string, Key | 'scope', Expected | 'scope'][] = [
    ['no Authorization header', 'none', unauthorized],
    ['"Bearer" and no key', { authorization: 'Bearer' }, unauthorized],
    ['an unknown key', { authorization: 'Bearer hk_unknownunknownunknownunknown' }, unauthorized],
    ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }, unauthorized],
    ['two keys', { authorization: 'Bearer hk_a hk_b' }, unauthorized],
    ['an SQL string as the key', { authorization: `Bearer ${SQL.replace(/ /g, '')}` }, unauthorized],
    ['an 8 KiB key', { authorization: `Bearer hk_${'k'.repeat(8192)}` }, unauthorized],
    ['a revoked key', 'revoked', unauthorized],
    ['a key without the scope', 'scope', 'scope'],
  ];
  return endpoints
    .flatMap((e) =>
      keys.map(([name, key, expect]): BadCase => ({
        name: `${e.method} ${e.path}: ${name}`,
        target: e.target,
        method: e.method,
        path: e.path,
        key: key === 'scope' ? (e.scope === 'send' ? 'admin' : 'send') : key,
        ...(e.body !== undefined ? { body: e.body } : {}),
        expect: expect === 'scope' ? forbidden : expect,
      })),
    )
    .concat(endpoints.flatMap(bigBodyRefused));
}

const FIVE_MB = `"${'x'.repeat(5 * 1024 * 1024)}"`;

/**
 * A 5 MB body refused before it is read (by the auth hook, or because a GET takes none): the client
 * writes all of it before reading, and must read the 401/403, not a broken pipe.
 */
function bigBodyRefused(e: Endpoint): BadCase[] {
  const common = { target: e.target, method: e.method, path: e.path, body: FIVE_MB };
  return [
    { ...common, name: `${e.method} ${e.path}: a 5 MB body and no key`, key: 'none', expect: unauthorized },
    {
      ...common,
      name: `${e.method} ${e.path}: a 5 MB body and a key without the scope`,
      key: e.scope === 'send' ? 'admin' : 'send',
      expect: forbidden,
    },
  ];
}

const get = (target: Target, path: string, expect: Expected, name = path): BadCase => ({
  name: `GET ${name}`,
  target,
  method: 'GET',
  path,
  expect,
});

/** Unknown ids, hostile ids and paths. */
export function pathCases(): BadCase[] {
  const long = 'a'.repeat(5000);
  return [
    get('ingest', `/v1/notifications/${UNKNOWN_ID}`, notFound),
    get('ingest', '/v1/notifications/not-a-uuid', bad('id')),
    get('ingest', '/v1/notifications/..%2F..%2Fetc%2Fpasswd', bad('id')),
    get('ingest', '/v1/notifications/%00', bad('id')),
    get('ingest', `/v1/notifications/${UNKNOWN_ID}%00`, bad('id')),
    get('ingest', `/v1/notifications/${long}`, bad('id'), '/v1/notifications/<5,000 characters>'),
    get('ingest', "/v1/notifications/1'%20OR%20'1'='1", bad('id')),
    get('ingest', '/v1/notifications/%7B%7Bconstructor%7D%7D', bad('id')),
    get('ingest', '/v1/users/nobody-here', notFound),
    get('ingest', '/v1/users/a%2Fb', bad('id')),
    get('ingest', '/v1/users/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', bad('id')),
    get('ingest', '/v1/users/%00', bad('id')),
    get('ingest', '/v1/users/a%0D%0ASet-Cookie:%20x', bad('id')),
    get('ingest', `/v1/users/${long}`, bad('id'), '/v1/users/<5,000 characters>'),
    get('ingest', '/v1/users/%E2%80%AEevil', bad('id')),
    get('ingest', "/v1/users/x'%20OR%201=1--", bad('id')),
    get('ingest', '/v1/users/%E0%A4%A', bad('url')),
    get('ingest', '/v1/nothing-here', notFound),
    get('ingest', '/v1/notifications', notFound, '/v1/notifications (no id)'),
    get('ingest', '/v1/users/%FF%FE', bad('url')),
    get('ingest', '/v1/notifications/%C0%AF', bad('url')),
    {
      name: 'DELETE /v1/users/corpus-user/devices/%00',
      target: 'ingest',
      method: 'DELETE',
      path: '/v1/users/corpus-user/devices/%00',
      expect: bad('token'),
    },
    {
      name: 'DELETE /v1/users/corpus-user/devices/<unknown>',
      target: 'ingest',
      method: 'DELETE',
      path: '/v1/users/corpus-user/devices/no-such-token',
      expect: notFound,
    },
    {
      name: 'DELETE /v1/users/nobody/devices/x',
      target: 'ingest',
      method: 'DELETE',
      path: '/v1/users/nobody-here/devices/x',
      expect: notFound,
    },
    {
      name: 'POST /v1/users/nobody-here/devices',
      target: 'ingest',
      method: 'POST',
      path: '/v1/users/nobody-here/devices',
      body: { token: 'abcd', platform: 'android' },
      expect: notFound,
    },
    {
      name: 'DELETE /v1/notifications',
      target: 'ingest',
      method: 'DELETE',
      path: '/v1/notifications',
      expect: notFound,
    },
    { name: 'POST /healthz', target: 'ingest', method: 'POST', path: '/healthz', body: {}, expect: notFound },
  ];
}

/** The dead-letter list's query parameters, out of range or unknown. */
export function queryCases(): BadCase[] {
  const q = (query: string, field: string) => get('dlq', `/v1/dead-letters?${query}`, bad(field));
  return [
    q('reason=%FF', 'reason'),
    q('notificationId=..%2F..%2Fetc%2Fpasswd', 'notificationId'),
    q('limit=0', 'limit'),
    q('limit=-1', 'limit'),
    q('limit=501', 'limit'),
    q('limit=99999999999999999999', 'limit'),
    q('limit=abc', 'limit'),
    q('limit=1.5', 'limit'),
    q('limit=', 'limit'),
    q('limit=1e2', 'limit'),
    q('limit=1&limit=2', 'limit'),
    q('before=abc', 'before'),
    q('before=-1', 'before'),
    q('before=0', 'before'),
    q('before=99999999999999999999', 'before'),
    q('before=1%20OR%201%3D1', 'before'),
    q('reason=DROP%20TABLE', 'reason'),
    q('reason=', 'reason'),
    { ...q(`reason=${'r'.repeat(65)}`, 'reason'), name: 'GET /v1/dead-letters?reason=<65 characters>' },
    q('notificationId=not-a-uuid', 'notificationId'),
    q('notificationId=%00', 'notificationId'),
    {
      ...q(`notificationId=${'n'.repeat(200)}`, 'notificationId'),
      name: 'GET /v1/dead-letters?notificationId=<200 characters>',
    },
    q('reasons=provider_rejected', 'reasons'),
    q('colour=blue', 'colour'),
    q('channel=fax', 'channel'),
    q('status=gone', 'status'),
    q('since=yesterday', 'since'),
    q('until=2026-13-01T00:00:00Z', 'until'),
    q('since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', 'until'),
  ];
}

const post = (path: string, body: unknown, expect: Expected, name = ''): BadCase => ({
  name: `POST ${path}${name ? `: ${name}` : ''}`,
  target: 'dlq',
  method: 'POST',
  path,
  body,
  expect,
});

/** The dead-letter actions: unknown and hostile ids, and bodies the actions refuse. */
export function deadLetterCases(): BadCase[] {
  const bulk = '/v1/dead-letters/replay';
  return [
    get('dlq', '/v1/dead-letters/999999999', notFound),
    get('dlq', '/v1/dead-letters/abc', bad('id')),
    get('dlq', '/v1/dead-letters/0', bad('id')),
    get('dlq', '/v1/dead-letters/1%20OR%201%3D1', bad('id')),
    get('dlq', '/v1/dead-letters/99999999999999999999', bad('id')),
    get('dlq', '/v1/dead-letters/replays/not-a-uuid', bad('jobId')),
    get('dlq', `/v1/dead-letters/replays/${UNKNOWN_ID}`, notFound),
    post('/v1/dead-letters/999999999/replay', {}, notFound),
    post('/v1/dead-letters/abc/replay', {}, bad('id')),
    post('/v1/dead-letters/1/replay', { force: true }, bad('force'), 'an unknown option'),
    post('/v1/dead-letters/999999999/discard', { reason: 'x' }, notFound),
    post('/v1/dead-letters/1/discard', {}, bad('reason'), 'no reason'),
    post('/v1/dead-letters/1/discard', { reason: '   ' }, bad('reason'), 'a blank reason'),
    post('/v1/dead-letters/1/discard', { reason: 'r'.repeat(501) }, bad('reason'), 'a 501-character reason'),
    post('/v1/dead-letters/1/discard', { reason: 42 }, bad('reason'), 'a number as reason'),
    post(bulk, {}, bad('body'), 'neither ids nor filter'),
    post(bulk, { ids: [1], filter: { reason: 'x' } }, bad('body'), 'both ids and filter'),
    post(bulk, { ids: [] }, bad('ids'), 'no ids'),
    post(bulk, { ids: Array.from({ length: 1001 }, (_, i) => i + 1) }, bad('ids'), '1,001 ids'),
    post(bulk, { ids: ['abc'] }, bad('ids.0'), 'a malformed id'),
    post(bulk, { ids: [SQL] }, bad('ids.0'), 'an SQL string as an id'),
    post(bulk, { filter: {} }, bad('filter'), 'an empty filter'),
    post(bulk, { filter: { channel: 'fax' } }, bad('filter.channel'), 'an unknown channel'),
    post(bulk, { filter: { colour: 'blue' } }, bad('filter.colour'), 'an unknown filter field'),
    post(bulk, { ids: [1], dryRun: true }, bad('dryRun'), 'an unknown field'),
  ];
}

const put = (name: string, body: unknown, expect: Expected, path = '/v1/users/corpus-user'): BadCase => ({
  name: `PUT ${path}: ${name}`,
  target: 'ingest',
  method: 'PUT',
  path,
  body,
  expect,
});
const device = (name: string, body: unknown, expect: Expected): BadCase => ({
  name: `POST /v1/users/corpus-user/devices: ${name}`,
  target: 'ingest',
  method: 'POST',
  path: '/v1/users/corpus-user/devices',
  body,
  expect,
});

/**
 * The body rules hold on every route that takes a body, not only on notifications. `tooBig` is over
 * the route's limit: the server's, or the route's own (the batch route's is 16 MiB).
 */
function bodiesOf(
  method: string,
  path: string,
  tooBig: [name: string, body: string] = ['a 5 MB body', FIVE_MB],
): BadCase[] {
  const c = (
    name: string,
    body: string | Buffer,
    expect: Expected,
    headers: Record<string, string> = json,
  ): BadCase => ({
    name: `${method} ${path}: ${name}`,
    target: 'ingest',
    method,
    path,
    body,
    headers,
    expect,
  });
  return [
    c('truncated JSON', '{"email":', bad('body')),
    c('invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), bad('body')),
    c('20,000 levels', nested(20_000, '[', ']', ''), bad('body')),
    c(...tooBig, tooLarge),
    c('text/plain', '{}', mediaType, { 'content-type': 'text/plain' }),
    c(
      'gzip encoded',
      '{}',
      { status: 415, code: 'unsupported_media_type', field: 'content-encoding' },
      {
        ...json,
        'content-encoding': 'gzip',
      },
    ),
  ];
}

const json = { 'content-type': 'application/json' };

/** 17 MiB: over the batch route's 16 MiB, which is far over the server's 1 MiB. */
const SEVENTEEN_MIB = `"${'x'.repeat(17 * 1024 * 1024)}"`;

/** The body rules on the batch route, with its own limit. */
export function batchBodyCases(): BadCase[] {
  return [
    ...bodiesOf('POST', BATCH_PATH, ['a 17 MiB body', SEVENTEEN_MIB]),
    {
      name: `POST ${BATCH_PATH}: 17 MiB chunked, no Content-Length`,
      target: 'ingest',
      method: 'POST',
      path: BATCH_PATH,
      body: chunked(SEVENTEEN_MIB),
      headers: { ...json, 'transfer-encoding': 'chunked' },
      expect: tooLarge,
    },
  ];
}

/** Users and devices. */
export function userCases(): BadCase[] {
  return [
    ...bodiesOf('PUT', '/v1/users/corpus-user'),
    ...bodiesOf('POST', '/v1/users/corpus-user/devices'),
    put('email not an address', { email: 'ada' }, bad('email')),
    put('email a number', { email: 1 }, bad('email')),
    put('email with CRLF', { email: 'a@b.c\r\nBcc: all@example.com' }, bad('email')),
    put('email with SQL', { email: `${SQL}@example.com` }, bad('email')),
    put('phone not E.164', { phone: '0700 000000' }, bad('phone')),
    put('phone an array', { phone: ['+14155550100'] }, bad('phone')),
    put('locale bad', { locale: 'Klingon!' }, bad('locale')),
    put('timezone unknown', { timezone: 'Mars/Olympus_Mons' }, bad('timezone')),
    put('timezone with SQL', { timezone: `UTC${SQL}` }, bad('timezone')),
    put('timezone a number', { timezone: 2 }, bad('timezone')),
    put('unknown field', { email: 'ada@example.com', admin: true }, bad('admin')),
    put('a JSON array', [{ email: 'ada@example.com' }], bad('body')),
    put('a JSON string', '"ada@example.com"', bad('body')),
    {
      ...put('id too long', {}, bad('id'), `/v1/users/${'u'.repeat(201)}`),
      name: 'PUT /v1/users/<201 characters>',
    },
    put('id with a bidi override', {}, bad('id'), '/v1/users/%E2%80%AEresu'),
    device('token missing', { platform: 'ios' }, bad('token')),
    device('token empty', { token: '', platform: 'ios' }, bad('token')),
    device('token too long', { token: 't'.repeat(4097), platform: 'ios' }, bad('token')),
    device('token with a control character', { token: 'tok\u0008en', platform: 'ios' }, bad('token')),
    device('token with a bidi override', { token: BIDI, platform: 'ios' }, bad('token')),
    device('platform unknown', { token: 'abcd', platform: 'windows-phone' }, bad('platform')),
    device('platform missing', { token: 'abcd' }, bad('platform')),
    device('unknown field', { token: 'abcd', platform: 'ios', primary: true }, bad('primary')),
    device('no body', undefined, bad('body')),
  ];
}
