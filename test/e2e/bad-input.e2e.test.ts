import { createApiKey, topicNames, topicSpecs } from '@herald/shared';
import { httpRequest, parseRawResponse, rawHttp, startStack, testKafka } from '@herald/test-support';
import type { Stack } from '@herald/test-support';
import { corpus, malformedRequests } from './bad-input/corpus';
import type { BadCase, Expected, Key, Target } from './bad-input/corpus';

/**
 * The bad-input corpus against ingest and dlq as real processes, over real sockets (raw bytes, so
 * what fetch would refuse to send is sent too). Every case must get its 4xx with Herald's JSON
 * error body; afterwards both services are still ready and nothing reached Kafka.
 */
let stack: Stack;
const keys: Record<'send' | 'admin' | 'revoked', string> = { send: '', admin: '', revoked: '' };

beforeAll(async () => {
  stack = await startStack('badinput', ['ingest', 'dlq']);
  keys.send = await createApiKey(stack.pool, 'corpus-send', ['send']);
  keys.admin = await createApiKey(stack.pool, 'corpus-admin', ['admin']);
  keys.revoked = await createApiKey(stack.pool, 'corpus-revoked', ['send', 'admin']);
  await stack.pool.query("UPDATE api_keys SET revoked_at = now() WHERE name = 'corpus-revoked'");
  const user = await stack.api('PUT', '/v1/users/corpus-user', { email: 'corpus@example.com' });
  expect(user.status).toBe(201);
}, 180_000);
afterAll(async () => {
  if (stack) await stack.stop();
});

const port = (target: Target) => Number(new URL(stack.url(target, '/')).port);

function authorization(key: Key | undefined, target: Target): Record<string, string> {
  if (key === 'none') return {};
  if (typeof key === 'object') return key;
  const which = key === undefined || key === 'default' ? (target === 'dlq' ? 'admin' : 'send') : key;
  return { authorization: `Bearer ${keys[which]}` };
}

function requestOf(c: BadCase): Buffer {
  const raw = typeof c.body === 'string' || Buffer.isBuffer(c.body);
  const body = c.body === undefined ? undefined : raw ? (c.body as string | Buffer) : JSON.stringify(c.body);
  // JSON unless the case says otherwise; a GET sends no body and so no Content-Type.
  const headers = c.headers ?? (c.method === 'GET' ? {} : { 'content-type': 'application/json' });
  return httpRequest(c.method, c.path, { ...authorization(c.key, c.target), ...headers }, body);
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; field?: unknown };
}

function expectError(res: { status: number; headers: Record<string, string>; body: string }, e: Expected) {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const { error } = JSON.parse(res.body) as ErrorBody;
  expect({ status: res.status, code: error?.code, field: error?.field }).toEqual({
    status: e.status,
    code: e.code,
    field: e.field,
  });
  expect(typeof error?.message).toBe('string');
  const message = String(error?.message);
  expect(message.length).toBeGreaterThan(0);
  // Says what is wrong with what, and never leaks internals.
  if (e.field) expect(message.toLowerCase()).toContain(e.field.toLowerCase());
  expect(message).not.toMatch(/internal error|\n\s+at |node_modules|SELECT |INSERT /);
}

const cases = corpus();

it('is a corpus of at least 200 cases', () => {
  expect(cases.length + 2 * malformedRequests.length).toBeGreaterThanOrEqual(200);
});

describe('every bad request gets its 4xx and a JSON error', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const res = await rawHttp(port(c.target), requestOf(c));
    expectError(res, c.expect);
  });

  const targets = ['ingest', 'dlq'] as const;
  it.each(
    targets.flatMap((t) => malformedRequests.map(([name, req, e]) => [`${t}: ${name}`, t, req, e] as const)),
  )('%s', async (_name, target, request, expected) => {
    const res = await rawHttp(port(target), Buffer.from(request, 'latin1'));
    expectError(res, expected);
  });

  it('answers a request whose Content-Length is shorter than its body, not the leftover bytes', async () => {
    // `{}` is the body; what follows it cannot parse as a request. The client is owed the answer
    // to the request it sent (400: userId required), not a parser error about the leftovers.
    const request = Buffer.concat([
      httpRequest('POST', '/v1/notifications', {
        authorization: `Bearer ${keys.send}`,
        'content-type': 'application/json',
        'content-length': '2',
        connection: 'keep-alive',
      }),
      Buffer.from('{} and then some garbage\r\n\r\n'),
    ]);
    const res = await rawHttp(port('ingest'), request);
    expectError(res, { status: 400, code: 'validation_failed', field: 'userId' });
  });

  it('refuses a body over the limit before it is sent when the client expects 100-continue', async () => {
    const res = await rawHttp(
      port('ingest'),
      httpRequest('POST', '/v1/notifications', {
        authorization: `Bearer ${keys.send}`,
        'content-type': 'application/json',
        'content-length': String(5 * 1024 * 1024),
        expect: '100-continue',
      }),
    );
    expectError(res, { status: 413, code: 'payload_too_large' });
  });

  it('judges a batch expecting 100-continue by the batch route’s own limit (16 MiB)', async () => {
    const expecting = (body: string | undefined, length: number) =>
      httpRequest(
        'POST',
        '/v1/notifications/batch',
        {
          authorization: `Bearer ${keys.send}`,
          'content-type': 'application/json',
          'content-length': String(length),
          expect: '100-continue',
        },
        body,
      );
    const over = await rawHttp(port('ingest'), expecting(undefined, 17 * 1024 * 1024));
    expectError(over, { status: 413, code: 'payload_too_large' });
    // 5 MB, over the server's 1 MiB: invited, read, and judged by the route (a string is no array).
    const body = `{"notifications":"${'x'.repeat(5 * 1024 * 1024)}"}`;
    const invited = await rawHttp(port('ingest'), expecting(body, Buffer.byteLength(body)));
    expect(invited.status).toBe(100);
    // What follows the interim 100 is the final answer.
    expectError(parseRawResponse(Buffer.from(invited.body, 'utf8')), {
      status: 400,
      code: 'validation_failed',
      field: 'notifications',
    });
  });
});

async function highWatermarks(): Promise<Record<string, number>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const out: Record<string, number> = {};
    for (const { topic } of topicSpecs(stack.prefix)) {
      const offsets = await admin.fetchTopicOffsets(topic);
      out[topic] = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

describe('after the corpus', () => {
  it('both services are still ready', async () => {
    for (const target of ['ingest', 'dlq'] as const) {
      const res = await fetch(stack.url(target, '/readyz'));
      expect(res.status).toBe(200);
    }
  });

  // A 4xx is answered after any produce would have been acknowledged (acks=all), so the high
  // watermarks are final when the last answer arrives: no waiting needed.
  it('nothing was produced to Kafka for a rejected request', async () => {
    const marks = await highWatermarks();
    expect(Object.entries(marks).filter(([, n]) => n > 0)).toEqual([]);
  });

  it('an accepted request does move the watermarks (the check above can fail)', async () => {
    const res = await stack.api('POST', '/v1/notifications', { userId: 'corpus-user', channels: ['email'] });
    expect(res.status).toBe(202);
    const t = topicNames(stack.prefix);
    const marks = await highWatermarks();
    expect(marks[t.priority('NORMAL')]).toBe(1);
    expect(marks[t.status]).toBe(1);
  });

  it('refuses an Idempotency-Key reused with another body (422) and replays the first', async () => {
    const headers = { 'idempotency-key': 'corpus-idem-1' };
    const first = await stack.api(
      'POST',
      '/v1/notifications',
      { userId: 'corpus-user', channels: ['sms'] },
      headers,
    );
    expect(first.status).toBe(202);
    const other = await stack.api(
      'POST',
      '/v1/notifications',
      { userId: 'corpus-user', channels: ['push'] },
      headers,
    );
    expect(other).toEqual({
      status: 422,
      body: {
        error: { code: 'idempotency_key_reused', message: expect.stringContaining('Idempotency-Key') },
      },
    });
    const again = await stack.api(
      'POST',
      '/v1/notifications',
      { channels: ['sms'], userId: 'corpus-user' },
      headers,
    );
    expect(again).toEqual({ status: 202, body: first.body });
  });

  it('takes injection strings as plain data, stored and returned verbatim', async () => {
    const token = "tok' OR '1'='1'; DROP TABLE devices; --";
    const dev = await stack.api('POST', '/v1/users/corpus-user/devices', { token, platform: 'web' });
    expect(dev.status).toBe(201);
    const user = await stack.api('GET', '/v1/users/corpus-user');
    expect(user.body.devices).toEqual([expect.objectContaining({ token, platform: 'web' })]);
    const sent = await stack.api('POST', '/v1/notifications', {
      userId: 'corpus-user',
      channels: ['push'],
      data: { name: '{{constructor.constructor("return process")()}}', note: "'; DROP TABLE users; --" },
    });
    expect(sent.status).toBe(202);
  });
});
