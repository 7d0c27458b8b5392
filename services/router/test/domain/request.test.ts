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
    [{ id: 'not-a-uuid' }, 'id must be a UUID'],
    [{ userId: ' ' }, 'userId must not be empty'],
    [{ category: '' }, 'category must not be empty'],
    [{ channels: [] }, 'channels must not be empty (use null)'],
    [{ data: '{oops' }, 'data is not valid JSON'],
    [{ data: '[1,2]' }, 'data must be a JSON object'],
    [{ data: 'null' }, 'data must be a JSON object'],
  ] as [Partial<NotificationRequest>, string][])('rejects %j', (patch, reason) => {
    expect(validateRequest({ ...base, ...patch })).toEqual({ ok: false, reason });
  });
});

describe('isExpired', () => {
  it('is expired at and after expiresAt, never without one', () => {
    expect(isExpired({ expiresAt: null }, 10)).toBe(false);
    expect(isExpired({ expiresAt: 11 }, 10)).toBe(false);
    expect(isExpired({ expiresAt: 10 }, 10)).toBe(true);
  });
});
