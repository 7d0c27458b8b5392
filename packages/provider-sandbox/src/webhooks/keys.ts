import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * The key the sandbox signs SendGrid events with: SendGrid's Signed Event Webhook uses ECDSA on
 * P-256 (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features).
 * A string is base64 PKCS#8 DER (as SendGrid-style env files carry it) or PEM; throws on anything
 * else, saying why.
 */
export function sendGridSigningKey(key: string | KeyObject): KeyObject {
  const privateKey = typeof key === 'string' ? parsePrivateKey(key) : key;
  if (privateKey.type !== 'private') throw new Error(`expected a private key, got a ${privateKey.type} key`);
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (privateKey.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    const kind = privateKey.asymmetricKeyType === 'ec' ? `EC ${curve ?? '?'}` : privateKey.asymmetricKeyType;
    throw new Error(`expected an EC P-256 (prime256v1) key, got ${kind ?? 'an unknown key'}`);
  }
  return privateKey;
}

function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return createPrivateKey(trimmed);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error('expected base64 (PKCS#8 DER) or PEM');
  return createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
}

/** A fresh P-256 private key, for a sandbox given none. */
export function generateSendGridSigningKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** The public half as SendGrid shows a verification key: base64 of the SPKI DER. */
export function sendGridVerificationKey(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
}
