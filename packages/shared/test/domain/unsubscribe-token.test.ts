import { createHmac } from 'node:crypto';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '@herald/shared/domain';

const SECRET = 'a-secret-of-32-characters-at-least';
const NOW = Date.UTC(2026, 11, 2);
const claims = { userId: 'u-1', category: 'marketing', expiresAt: NOW / 1000 + 3600 };

describe('unsubscribe tokens', () => {
  it('round-trips the claims of a token signed with the same secret', () => {
    const token = signUnsubscribeToken(SECRET, claims);
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(verifyUnsubscribeToken(SECRET, token, NOW)).toEqual({ ok: true, claims });
  });

  it('refuses a token past its expiry, to the second', () => {
    const token = signUnsubscribeToken(SECRET, claims);
    expect(verifyUnsubscribeToken(SECRET, token, NOW + 3600_000 - 1).ok).toBe(true);
    expect(verifyUnsubscribeToken(SECRET, token, NOW + 3600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another secret, or with its payload changed', () => {
    const token = signUnsubscribeToken(SECRET, claims);
    expect(verifyUnsubscribeToken('another-secret-of-enough-length', token, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const [, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ u: 'someone-else', c: 'marketing', e: claims.expiresAt }),
    ).toString('base64url');
    expect(verifyUnsubscribeToken(SECRET, `${forged}.${signature}`, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it.each(['', 'abc', 'a.b.c', 'not base64!.sig', `${Buffer.from('[]').toString('base64url')}.x`])(
    'refuses the malformed token %j without throwing',
    (token) => {
      expect(verifyUnsubscribeToken(SECRET, token, NOW).ok).toBe(false);
    },
  );

  it('refuses a well-signed payload that is not the claims', () => {
    const payload = Buffer.from(JSON.stringify({ u: 1 })).toString('base64url');
    const sig = createHmac('sha256', SECRET).update(payload).digest('base64url');
    expect(verifyUnsubscribeToken(SECRET, `${payload}.${sig}`, NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('will not sign with a short secret', () => {
    expect(() => signUnsubscribeToken('short', claims)).toThrow('at least 16 characters');
  });
});
