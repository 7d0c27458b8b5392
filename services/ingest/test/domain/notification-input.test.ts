import { notificationInputSchema, toRequest } from '../../src/domain/notification-input';

const NOW = Date.UTC(2026, 10, 22, 12);
const ID = '0b8f2d52-6f0e-4a53-9a55-2f5a1d1f0d11';

function parse(body: unknown) {
  return notificationInputSchema.safeParse(body);
}

function firstIssue(body: unknown): string | undefined {
  const r = parse(body);
  return r.success ? undefined : r.error.issues[0]?.path.join('.');
}

describe('notification input', () => {
  it('applies defaults and builds the wire request', () => {
    const input = parse({ userId: 'u1' });
    if (!input.success) throw input.error;
    expect(toRequest(input.data, ID, NOW)).toEqual({
      ok: true,
      request: {
        id: ID,
        userId: 'u1',
        category: 'general',
        priority: 'NORMAL',
        templateId: null,
        channels: null,
        data: '{}',
        dedupKey: null,
        createdAt: NOW,
        sendAt: null,
        expiresAt: null,
        to: null,
        locale: null,
        dedupWindowSeconds: null,
        tags: null,
        pushTtlSeconds: null,
        pushCollapseKey: null,
      },
    });
  });

  it('carries every optional field across', () => {
    const input = parse({
      userId: 'u1',
      category: 'billing',
      priority: 'critical',
      templateId: 'welcome',
      channels: ['sms', 'email'],
      data: { name: 'Ada', n: 2 },
      dedupKey: 'd1',
      sendAt: '2026-11-22T13:00:00Z',
      expiresAt: '2026-11-22T15:00:00+01:00',
      locale: 'pt-BR',
      to: { email: 'ada@example.com', phone: '+14155550100', deviceTokens: ['t'] },
      dedupWindowSeconds: 0,
      tags: ['eu', 'beta'],
      push: { ttlSeconds: 600, collapseKey: 'score' },
    });
    if (!input.success) throw input.error;
    const out = toRequest(input.data, ID, NOW);
    expect(out.ok && out.request).toEqual(
      expect.objectContaining({
        priority: 'CRITICAL',
        channels: ['SMS', 'EMAIL'],
        data: '{"name":"Ada","n":2}',
        sendAt: Date.UTC(2026, 10, 22, 13),
        expiresAt: Date.UTC(2026, 10, 22, 14),
        to: { email: 'ada@example.com', phone: '+14155550100', deviceTokens: ['t'] },
        dedupWindowSeconds: 0,
        tags: ['eu', 'beta'],
        pushTtlSeconds: 600,
        pushCollapseKey: 'score',
      }),
    );
  });

  it.each([
    [{}, 'userId'],
    [{ userId: 'has space' }, 'userId'],
    [{ userId: 'u', priority: 'urgent' }, 'priority'],
    [{ userId: 'u', dedupWindowSeconds: -1 }, 'dedupWindowSeconds'],
    [{ userId: 'u', dedupWindowSeconds: 1.5 }, 'dedupWindowSeconds'],
    [{ userId: 'u', tags: ['a b'] }, 'tags.0'],
    [{ userId: 'u', tags: ['x', 'x'] }, 'tags'],
    [{ userId: 'u', channels: ['fax'] }, 'channels.0'],
    [{ userId: 'u', channels: [] }, 'channels'],
    [{ userId: 'u', channels: ['sms', 'sms'] }, 'channels'],
    [{ userId: 'u', data: 'text' }, 'data'],
    [{ userId: 'u', to: { email: 'nope' } }, 'to.email'],
    [{ userId: 'u', to: { phone: '0612345678' } }, 'to.phone'],
    [{ userId: 'u', sendAt: 'tomorrow' }, 'sendAt'],
    [{ userId: 'u', surprise: 1 }, ''],
    [{ userId: 'u', category: 'a\u0000b' }, 'category'],
    [{ userId: 'u', to: { deviceTokens: ['t\n'] } }, 'to.deviceTokens.0'],
    [{ userId: 'u', push: { ttlSeconds: -1 } }, 'push.ttlSeconds'],
    [{ userId: 'u', push: { ttlSeconds: 29 * 86_400 } }, 'push.ttlSeconds'],
    [{ userId: 'u', push: { collapseKey: 'x'.repeat(65) } }, 'push.collapseKey'],
    [{ userId: 'u', push: { collapseKey: 'é' } }, 'push.collapseKey'],
    [{ userId: 'u', push: { priority: 'high' } }, 'push'],
  ])('rejects %j at %s', (body, field) => {
    expect(firstIssue(body)).toBe(field);
  });

  it('rejects an expiry in the past or before the send time', () => {
    const past = parse({ userId: 'u', expiresAt: '2026-11-22T11:00:00Z' });
    if (!past.success) throw past.error;
    expect(toRequest(past.data, ID, NOW)).toEqual({
      ok: false,
      field: 'expiresAt',
      message: 'expiresAt: must be in the future',
    });
    const early = parse({ userId: 'u', sendAt: '2026-11-22T15:00:00Z', expiresAt: '2026-11-22T14:00:00Z' });
    if (!early.success) throw early.error;
    expect(toRequest(early.data, ID, NOW)).toEqual(
      expect.objectContaining({ ok: false, field: 'expiresAt' }),
    );
  });
});
