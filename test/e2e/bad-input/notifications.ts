/** Bad requests to POST /v1/notifications: every field, the body as a whole, and its headers. */
import { randomUUID } from 'node:crypto';
import { BIDI, SQL, TEMPLATE, bad, mediaType, nested, tooLarge } from './types';
import type { BadCase, Expected } from './types';

export const base = { userId: 'corpus-user', channels: ['email'], data: { name: 'Ada' } };
const send = (name: string, body: unknown, expect: Expected, extra: Partial<BadCase> = {}): BadCase => ({
  name: `POST /v1/notifications: ${name}`,
  target: 'ingest',
  method: 'POST',
  path: '/v1/notifications',
  body,
  expect,
  ...extra,
});
const withField = (field: string, value: unknown) => ({ ...base, [field]: value });

/** Per field of a notification: values that must be refused, naming the field (or a sub-path). */
const notificationFields: [field: string, value: unknown, expectedField?: string][] = [
  ['userId', undefined],
  ['userId', null],
  ['userId', 42],
  ['userId', true],
  ['userId', ['a']],
  ['userId', { id: 'a' }],
  ['userId', ''],
  ['userId', 'u'.repeat(201)],
  ['userId', 'with space'],
  ['userId', 'ユーザー'],
  ['userId', 'u\u0000'],
  ['userId', 'u\r\nX-Injected: 1'],
  ['userId', BIDI],
  ['userId', SQL],
  ['userId', '../../etc/passwd'],
  ['userId', TEMPLATE],
  ['category', 7],
  ['category', null],
  ['category', ''],
  ['category', 'c'.repeat(101)],
  ['category', 'bell\u0007'],
  ['category', 'next\u0085line'],
  ['category', BIDI],
  ['category', 'tab\there'],
  ['priority', 'urgent'],
  ['priority', 'HIGH '],
  ['priority', 1],
  ['priority', null],
  ['priority', ''],
  ['templateId', 5],
  ['templateId', ''],
  ['templateId', 't'.repeat(201)],
  ['templateId', TEMPLATE],
  ['templateId', '../templates/secret'],
  ['templateId', SQL],
  ['templateId', 'welcome\u0000'],
  ['channels', 'email'],
  ['channels', []],
  ['channels', ['fax'], 'channels.0'],
  ['channels', ['email', 'email']],
  ['channels', [1], 'channels.0'],
  ['channels', ['EMAIL'], 'channels.0'],
  ['channels', null],
  ['channels', { email: true }],
  ['data', 'name=Ada'],
  ['data', ['Ada']],
  ['data', 3],
  ['data', null],
  ['data', { big: 'x'.repeat(70_000) }],
  ['dedupKey', 1],
  ['dedupKey', ''],
  ['dedupKey', 'd'.repeat(201)],
  ['dedupKey', 'line\nbreak'],
  ['dedupKey', BIDI],
  ['sendAt', 'tomorrow'],
  ['sendAt', 1_700_000_000_000],
  ['sendAt', '2026-13-01T00:00:00Z'],
  ['sendAt', '2026-02-30T25:00:00Z'],
  ['sendAt', '2026-01-01'],
  ['sendAt', ''],
  ['expiresAt', 'never'],
  ['expiresAt', '2000-01-01T00:00:00Z'],
  ['expiresAt', false],
  ['locale', 'english'],
  ['locale', 'EN'],
  ['locale', 1],
  ['locale', ''],
  ['locale', 'en-'],
  ['to', 'ada@example.com'],
  ['to', { email: 'not-an-email' }, 'to.email'],
  ['to', { email: 'a@b.c\r\nBcc: everyone@example.com' }, 'to.email'],
  ['to', { email: `${SQL}@example.com` }, 'to.email'],
  ['to', { phone: '4155550100' }, 'to.phone'],
  ['to', { phone: '+1 415 555 0100' }, 'to.phone'],
  ['to', { phone: '+0123456789' }, 'to.phone'],
  ['to', { deviceTokens: [] }, 'to.deviceTokens'],
  ['to', { deviceTokens: 'token' }, 'to.deviceTokens'],
  ['to', { deviceTokens: [''] }, 'to.deviceTokens.0'],
  ['to', { deviceTokens: ['t\u0000'] }, 'to.deviceTokens.0'],
  ['to', { deviceTokens: Array.from({ length: 101 }, (_, i) => `t${i}`) }, 'to.deviceTokens'],
  ['to', { fax: '+14155550100' }, 'to.fax'],
  ['colour', 'blue'],
  ['userid', 'lowercase-twin'],
  ['id', randomUUID()],
  ['createdAt', 0],
];

export function notificationCases(): BadCase[] {
  const cases = notificationFields.map(([field, value, expected]) =>
    send(
      `${field} = ${JSON.stringify(value)?.slice(0, 40) ?? 'missing'}`,
      withField(field, value),
      bad(expected ?? field),
    ),
  );
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const sooner = new Date(Date.now() + 1_800_000).toISOString();
  cases.push(
    send('expiresAt before sendAt', { ...base, sendAt: later, expiresAt: sooner }, bad('expiresAt')),
    send('data with a lone surrogate', '{"userId":"u","data":{"name":"\\ud800"}}', bad('data.name')),
    send('data with U+0000', '{"userId":"u","data":{"name":"a\\u0000b"}}', bad('data.name')),
    send('data key with U+0000', '{"userId":"u","data":{"a\\u0000":"b"}}', bad('data.a\u0000')),
    send('__proto__ at the top', '{"__proto__":{"admin":true},"userId":"u"}', bad('__proto__')),
    send('__proto__ in data', '{"userId":"u","data":{"__proto__":{"polluted":1}}}', bad('data.__proto__')),
  );
  return cases;
}

const json = { 'content-type': 'application/json' };
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Bodies that are not a JSON object of sane size and shape, at POST /v1/notifications. */
export function bodyCases(): BadCase[] {
  const body = (
    name: string,
    payload: string | Buffer,
    expect: Expected,
    headers: Record<string, string> = json,
  ) => send(name, payload, expect, { headers });
  return [
    body('empty body', '', bad('body')),
    body('only whitespace', '   ', bad('body')),
    body('truncated object', '{"userId":"u"', bad('body')),
    body('missing value', '{"userId":}', bad('body')),
    body('trailing comma', '{"userId":"u",}', bad('body')),
    body('single quotes', "{'userId':'u'}", bad('body')),
    body('a comment', '{"userId":"u" /* hi */}', bad('body')),
    body('two documents', '{"userId":"u"}{"userId":"v"}', bad('body')),
    body('NaN', '{"userId":"u","data":{"n":NaN}}', bad('body')),
    body('a byte-order mark', '\uFEFF{"userId":"u"}', bad('body')),
    body('JSON null', 'null', bad('body')),
    body('JSON true', 'true', bad('body')),
    body('a JSON string', '"userId"', bad('body')),
    body('a JSON number', '1e999', bad('body')),
    body('a JSON array', '[{"userId":"u"}]', bad('body')),
    body(
      'invalid UTF-8 (0xff)',
      Buffer.from([0x7b, 0x22, 0x75, 0x73, 0x65, 0x72, 0x49, 0x64, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      bad('body'),
    ),
    body(
      'overlong UTF-8 "/"',
      Buffer.concat([utf8('{"userId":"'), Buffer.from([0xc0, 0xaf]), utf8('"}')]),
      bad('body'),
    ),
    body(
      'truncated UTF-8 sequence',
      Buffer.concat([utf8('{"userId":"u","data":{"x":"'), Buffer.from([0xe2, 0x82]), utf8('"}}')]),
      bad('body'),
    ),
    body(
      'UTF-8 encoded surrogate',
      Buffer.concat([utf8('{"userId":"'), Buffer.from([0xed, 0xa0, 0x80]), utf8('"}')]),
      bad('body'),
    ),
    body('20,000 levels of objects', `{"userId":"u","data":${nested(20_000)}}`, bad('body')),
    body('20,000 levels of arrays', `{"userId":"u","data":{"a":${nested(20_000, '[', ']')}}}`, bad('body')),
    body('20,000 brackets at the top', nested(20_000, '[', ']', ''), bad('body')),
    body('33 levels (one too many)', `{"userId":"u","data":${nested(32)}}`, bad('body')),
    body('5 MB body', JSON.stringify({ ...base, data: { x: 'x'.repeat(5 * 1024 * 1024) } }), tooLarge),
    // 30 bytes of JSON around the string: 1,048,577 bytes in all.
    body('1 MiB + 1 byte', `{"userId":"u","data":{"x":"${'x'.repeat(1024 * 1024 - 29)}"}}`, tooLarge),
    body(
      '5 MB chunked, no Content-Length',
      chunked(`{"userId":"u","data":{"x":"${'x'.repeat(5 * 1024 * 1024)}"}}`),
      tooLarge,
      {
        ...json,
        'transfer-encoding': 'chunked',
      },
    ),
    body('no Content-Type', JSON.stringify(base), mediaType, {}),
    body('text/plain', JSON.stringify(base), mediaType, { 'content-type': 'text/plain' }),
    body('form encoded', 'userId=u', mediaType, { 'content-type': 'application/x-www-form-urlencoded' }),
    body('multipart', '--b\r\n\r\nx\r\n--b--', mediaType, {
      'content-type': 'multipart/form-data; boundary=b',
    }),
    body('JSON declared as UTF-16', JSON.stringify(base), mediaType, {
      'content-type': 'application/json; charset=utf-16',
    }),
    body(
      'gzip encoded',
      JSON.stringify(base),
      { status: 415, code: 'unsupported_media_type', field: 'content-encoding' },
      {
        ...json,
        'content-encoding': 'gzip',
      },
    ),
  ];
}

/** A body in HTTP/1.1 chunked transfer coding, in 64 KiB chunks. */
export function chunked(text: string): Buffer {
  const data = utf8(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 65_536) {
    const chunk = data.subarray(i, i + 65_536);
    parts.push(utf8(`${chunk.length.toString(16)}\r\n`), chunk, utf8('\r\n'));
  }
  parts.push(utf8('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** Headers a careless client gets wrong. */
export function headerCases(): BadCase[] {
  const key = (value: string, name = value) =>
    send(`Idempotency-Key ${name}`, base, bad('Idempotency-Key'), {
      headers: { ...json, 'idempotency-key': value },
    });
  return [
    key('', 'empty'),
    key('k'.repeat(256), '256 characters'),
    key('two words'),
    key('ümlaut'),
    key('a, b', 'sent twice (joined with a comma)'),
  ];
}
