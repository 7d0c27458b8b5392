import { NO_POLICY, recipientFor } from '../../src/domain/decide';
import type { StoredUser } from '../../src/domain/decide';

const user: StoredUser = {
  email: 'ada@example.com',
  phone: '+14155550100',
  locale: 'fr',
  pushTokens: ['t1', 't2'],
  policy: NO_POLICY,
};
const noTo = { to: null, locale: null };

describe('recipientFor', () => {
  it('uses the stored user', () => {
    expect(recipientFor(noTo, user)).toEqual({
      known: true,
      email: 'ada@example.com',
      phone: '+14155550100',
      pushTokens: ['t1', 't2'],
      locale: 'fr',
    });
  });

  it('lets direct addresses and the request locale override the stored ones', () => {
    const r = recipientFor(
      { to: { email: 'other@example.com', phone: null, deviceTokens: ['t9', 't9'] }, locale: 'de' },
      user,
    );
    expect(r).toEqual(
      expect.objectContaining({
        email: 'other@example.com',
        phone: '+14155550100',
        pushTokens: ['t9'],
        locale: 'de',
      }),
    );
  });

  it('knows a recipient given only by direct addresses', () => {
    const r = recipientFor(
      { to: { email: 'x@example.com', phone: null, deviceTokens: null }, locale: null },
      null,
    );
    expect(r).toEqual({ known: true, email: 'x@example.com', phone: null, pushTokens: [], locale: 'en' });
  });

  it('does not know a user that is neither stored nor addressed', () => {
    expect(recipientFor(noTo, null).known).toBe(false);
  });
});
