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
