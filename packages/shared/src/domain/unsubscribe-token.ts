import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in an email's one-click unsubscribe URL (RFC 8058): who, from which category, until
 * when, signed with a secret the email dispatcher and ingest share. Nothing is stored: ingest
 * checks the signature and the expiry, then records the opt-out.
 *
 * Format: base64url(JSON payload) "." base64url(HMAC-SHA256(secret, payload part)).
 */
export interface UnsubscribeClaims {
  userId: string;
  category: string;
  /** Epoch seconds after which the token is refused. */
  expiresAt: number;
}

interface Payload {
  u: string;
  c: string;
  e: number;
}

const sign = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

export function signUnsubscribeToken(secret: string, claims: UnsubscribeClaims): string {
  if (secret.length < 16) throw new Error('the unsubscribe secret must be at least 16 characters');
  const payload = Buffer.from(
    JSON.stringify({ u: claims.userId, c: claims.category, e: claims.expiresAt } satisfies Payload),
  ).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export type TokenCheck =
  { ok: true; claims: UnsubscribeClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Checks a token's signature (in constant time), then its expiry as of `now` (epoch ms). */
export function verifyUnsubscribeToken(secret: string, token: string, now: number): TokenCheck {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0 || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = Buffer.from(sign(secret, payload), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const p = parsed as Partial<Payload> | null;
  if (typeof p?.u !== 'string' || typeof p.c !== 'string' || typeof p.e !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  if (p.e * 1000 <= now) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { userId: p.u, category: p.c, expiresAt: p.e } };
}
