import { bearer, startTestSandbox } from '../support/http';
import type { TestSandbox } from '../support/http';

const url = '/v1/projects/herald-test/messages:send';
const push = (token: string, extra: Record<string, unknown> = {}) => ({
  message: { token, notification: { title: 'Hello', body: 'World' }, data: { orderId: '42' }, ...extra },
});
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

describe('fake FCM POST /v1/projects/:projectId/messages:send', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox();
  });
  afterEach(() => sb.close());

  it('answers 200 with the message name and records the push', async () => {
    const res = await sb.call({ method: 'POST', url, headers: bearer, payload: push('device-token-1') });

    expect(res.statusCode).toBe(200);
    const { name } = res.json<{ name: string }>();
    expect(name).toMatch(/^projects\/herald-test\/messages\/0:\d+%[0-9a-f]{16}$/);
    expect(sb.store.list()).toEqual([
      expect.objectContaining({
        provider: 'fcm',
        channel: 'push',
        to: 'device-token-1',
        title: 'Hello',
        body: 'World',
        data: { orderId: '42' },
        providerMessageId: name,
        accepted: true,
        status: 200,
      }),
    ]);
  });

  it('records the android and apns objects as received', async () => {
    const android = { priority: 'high', ttl: '600s', collapse_key: 'order-42' };
    const apns = {
      headers: { 'apns-priority': '10', 'apns-expiration': '1900000600', 'apns-collapse-id': 'order-42' },
      payload: { aps: { sound: 'default' } },
    };
    const res = await sb.call({
      method: 'POST',
      url,
      headers: bearer,
      payload: push('t1', { android, apns }),
    });

    expect(res.statusCode).toBe(200);
    expect(sb.store.list()).toEqual([expect.objectContaining({ android, apns, accepted: true })]);
  });

  it.each([
    [
      { android: { ttl: 600 } },
      "Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), 600",
    ],
    [
      { android: { ttl: '600' } },
      'Invalid value at \'message.android.ttl\' (type.googleapis.com/google.protobuf.Duration), "600"',
    ],
    [{ android: { collapse_key: 7 } }, "Invalid value at 'message.android.collapse_key' (TYPE_STRING), 7"],
    [
      { android: 'high' },
      'Invalid value at \'message.android\' (type.googleapis.com/google.firebase.fcm.v1.AndroidConfig), "high"',
    ],
    [
      { apns: { headers: { 'apns-priority': 10 } } },
      'Invalid value at \'message.apns.headers\' (TYPE_STRING), {"apns-priority":10}',
    ],
  ])('answers 400 INVALID_ARGUMENT as FCM does for a wrongly typed %j', async (extra, message) => {
    const res = await sb.call({ method: 'POST', url, headers: bearer, payload: push('t1', extra) });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 400,
        message,
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': FCM_ERROR, errorCode: 'INVALID_ARGUMENT' }],
      },
    });
    const [record] = sb.store.list();
    expect(record).toEqual(expect.objectContaining({ accepted: false, status: 400 }));
    expect(record?.android).toBeUndefined();
    expect(record?.apns).toBeUndefined();
  });

  it('accepts a fractional Duration as firebase-admin writes it', async () => {
    const res = await sb.call({
      method: 'POST',
      url,
      headers: bearer,
      payload: push('t1', { android: { ttl: '1.500000000s' } }),
    });
    expect(res.statusCode).toBe(200);
  });

  it('answers 401 UNAUTHENTICATED in Google format without a bearer token', async () => {
    const res = await sb.call({ method: 'POST', url, payload: push('device-token-1') });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: expect.objectContaining({ code: 401, status: 'UNAUTHENTICATED' }) as unknown,
    });
  });

  it('answers 404 UNREGISTERED for a token starting with unregistered-', async () => {
    const res = await sb.call({ method: 'POST', url, headers: bearer, payload: push('unregistered-abc') });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        code: 404,
        message: 'Requested entity was not found.',
        status: 'NOT_FOUND',
        details: [{ '@type': FCM_ERROR, errorCode: 'UNREGISTERED' }],
      },
    });
    expect(sb.store.list()).toEqual([
      expect.objectContaining({ to: 'unregistered-abc', accepted: false, status: 404 }),
    ]);
  });

  it('answers 400 INVALID_ARGUMENT for a token starting with invalid-', async () => {
    const res = await sb.call({ method: 'POST', url, headers: bearer, payload: push('invalid-abc') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: {
        code: 400,
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': FCM_ERROR, errorCode: 'INVALID_ARGUMENT' }],
      },
    });
  });

  it('answers 400 INVALID_ARGUMENT without a target or with non-string data', async () => {
    const noTarget = await sb.call({ method: 'POST', url, headers: bearer, payload: { message: {} } });
    const badData = await sb.call({
      method: 'POST',
      url,
      headers: bearer,
      payload: push('t', { data: { n: 1 } }),
    });
    expect([noTarget.statusCode, badData.statusCode]).toEqual([400, 400]);
    expect(badData.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  });

  it('answers an injected 429 as RESOURCE_EXHAUSTED with Retry-After', async () => {
    sb.faults.set({ provider: 'fcm', errorRate: 1, status: 429, latencyMs: 0, outage: false });
    const res = await sb.call({ method: 'POST', url, headers: bearer, payload: push('device-token-1') });
    expect(res.statusCode).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.json()).toMatchObject({
      error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ errorCode: 'QUOTA_EXCEEDED' }] },
    });
  });
});

describe('fake FCM answering injected catalog codes', () => {
  let sb: TestSandbox;
  beforeEach(async () => {
    sb = await startTestSandbox();
  });
  afterEach(() => sb.close());

  it.each([
    ['UNREGISTERED', 404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'],
    [
      'INVALID_ARGUMENT',
      400,
      'INVALID_ARGUMENT',
      'The registration token is not a valid FCM registration token',
      'INVALID_ARGUMENT',
    ],
    [
      'INVALID_PAYLOAD',
      400,
      'INVALID_ARGUMENT',
      'Invalid JSON payload received. Unknown name "colour" at \'message.notification\': Cannot find field.',
      'INVALID_ARGUMENT',
    ],
    ['SENDER_ID_MISMATCH', 403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH'],
    ['QUOTA_EXCEEDED', 429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for sending messages.', 'QUOTA_EXCEEDED'],
    ['UNAVAILABLE', 503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'],
    ['INTERNAL', 500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'],
    [
      'THIRD_PARTY_AUTH_ERROR',
      401,
      'UNAUTHENTICATED',
      'Auth error from APNS or Web Push Service',
      'THIRD_PARTY_AUTH_ERROR',
    ],
  ])('answers %s with %d %s', async (code, httpStatus, status, message, errorCode) => {
    sb.faults.set({ provider: 'fcm', errorRate: 0, code, latencyMs: 0, outage: true });
    const res = await sb.call({ method: 'POST', url, headers: bearer, payload: push('device-token-1') });
    expect(res.statusCode).toBe(httpStatus);
    expect(res.json()).toEqual({
      error: { code: httpStatus, message, status, details: [{ '@type': FCM_ERROR, errorCode }] },
    });
    expect(res.headers.get('retry-after')).toBe(httpStatus === 429 ? '1' : null);
    expect(sb.store.list()).toEqual([
      expect.objectContaining({ to: 'device-token-1', accepted: false, status: httpStatus }),
    ]);
  });

  it('says "token" only in the token error, so a classifier can tell it from a payload error', async () => {
    const messageFor = async (code: string) => {
      sb.faults.set({ provider: 'fcm', errorRate: 0, code, latencyMs: 0, outage: true });
      const res = await sb.call({ method: 'POST', url, headers: bearer, payload: push('t') });
      return res.json<{ error: { message: string } }>().error.message;
    };
    expect(await messageFor('INVALID_ARGUMENT')).toMatch(/token/i);
    expect(await messageFor('INVALID_PAYLOAD')).not.toMatch(/token/i);
  });

  it('fails only the targeted token or topic', async () => {
    sb.faults.set({
      provider: 'fcm',
      errorRate: 0,
      code: 'UNREGISTERED',
      latencyMs: 0,
      outage: true,
      to: ['gone'],
    });
    sb.faults.set({
      provider: 'fcm',
      errorRate: 0,
      code: 'INTERNAL',
      latencyMs: 0,
      outage: true,
      to: ['/topics/news'],
    });
    const send = (payload: unknown) => sb.call({ method: 'POST', url, headers: bearer, payload });
    expect((await send(push('gone'))).statusCode).toBe(404);
    expect((await send({ message: { topic: 'news', notification: { body: 'b' } } })).statusCode).toBe(500);
    expect((await send(push('still-here'))).statusCode).toBe(200);
  });
});
