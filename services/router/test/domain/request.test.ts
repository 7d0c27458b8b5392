import type { NotificationRequest } from '@herald/shared';
import { isExpired, validateRequest } from '../../src/domain/request';

const base: NotificationRequest = {
  id: '0b8f2d52-6f0e-4a53-9a55-2f5a1d1f0d11',
  userId: 'u1',
  category: 'account',
  priority: 'HIGH',
  templateId: null,
  channels: null,
  data: '{"name":"Ada"}',
  dedupKey: null,
  createdAt: 1,
  sendAt: null,
  expiresAt: null,
  to: null,
  locale: null,
};

describe('validateRequest', () => {
  it('accepts a good request and parses its data', () => {
    expect(validateRequest(base)).toEqual({ ok: true, request: base, data: { name: 'Ada' } });
  });

  it('reads empty data (the schema default) as no variables', () => {
    expect(validateRequest({ ...base, data: '' })).toEqual(expect.objectContaining({ ok: true, data: {} }));
  });

  it.each([
    [{ id: 'order-42' }, 'id must be a UUID', null],
    [{ userId: ' ' }, 'userId must be', base.id],
    [{ userId: 'a\u0000b' }, 'userId must be', base.id],
    [{ category: '' }, 'category', base.id],
    [{ category: 'a\u0000' }, 'category must not contain control characters', base.id],
    [{ createdAt: 9e15 }, 'createdAt', base.id],
    [{ channels: [] }, 'channels must not be empty (use null)', base.id],
    [{ channels: ['FAX'] }, 'channels.0', base.id],
    [{ locale: 'en\u0000' }, 'locale must be a BCP 47 tag', base.id],
    [{ to: { email: null, phone: '0612', deviceTokens: null } }, 'to.phone must be E.164', base.id],
    [{ data: 'x'.repeat(65 * 1024) }, 'data must be at most', base.id],
    [{ data: '{oops' }, 'data is not valid JSON', base.id],
    [{ data: '[1,2]' }, 'data must be a JSON object', base.id],
    [{ data: 'null' }, 'data must be a JSON object', base.id],
  ] as [Partial<NotificationRequest>, string, string | null][])(
    'rejects %j',
    (patch, reason, notificationId) => {
      const out = validateRequest({ ...base, ...patch });
      expect(out).toEqual({ ok: false, reason: expect.stringContaining(reason), notificationId });
    },
  );

  it('rejects a record of another shape without throwing', () => {
    expect(validateRequest({ notificationId: 'x', channel: 'SMS' })).toEqual(
      expect.objectContaining({ ok: false, notificationId: null }),
    );
    expect(validateRequest(null)).toEqual(expect.objectContaining({ ok: false }));
  });
});

describe('isExpired', () => {
  it('is expired at and after expiresAt, never without one', () => {
    expect(isExpired({ expiresAt: null }, 10)).toBe(false);
    expect(isExpired({ expiresAt: 11 }, 10)).toBe(false);
    expect(isExpired({ expiresAt: 10 }, 10)).toBe(true);
  });
});
