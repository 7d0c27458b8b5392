import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  generateSendGridSigningKey,
  sendGridSigningKey,
  sendGridVerificationKey,
} from '../../src/webhooks/keys';

describe('SendGrid signing keys', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  it.each([
    ['base64 PKCS#8 DER', privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')],
    ['PKCS#8 PEM', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
    ['SEC1 PEM', privateKey.export({ type: 'sec1', format: 'pem' }) as string],
    ['a KeyObject', privateKey],
  ])('reads %s, and shows the public half as base64 SPKI DER', (_form, key) => {
    expect(sendGridVerificationKey(sendGridSigningKey(key))).toBe(spki);
  });

  it.each([
    ['a public key', publicKey, /expected a private key, got a public key/],
    [
      'a P-384 key',
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
      /expected an EC P-256 \(prime256v1\) key, got EC secp384r1/,
    ],
    ['an Ed25519 key', generateKeyPairSync('ed25519').privateKey, /got ed25519/],
    ['text that is neither base64 nor PEM', 'not a key!', /expected base64 \(PKCS#8 DER\) or PEM/],
    ['base64 that is no key', Buffer.from('hello').toString('base64'), /./],
  ])('refuses %s', (_what, key, message) => {
    expect(() => sendGridSigningKey(key)).toThrow(message);
  });

  it('generates P-256 keys, a new one each time', () => {
    const a = generateSendGridSigningKey();
    expect(a.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(sendGridVerificationKey(a)).not.toBe(sendGridVerificationKey(generateSendGridSigningKey()));
    const parsed = createPublicKey({
      key: Buffer.from(sendGridVerificationKey(a), 'base64'),
      format: 'der',
      type: 'spki',
    });
    expect(parsed.asymmetricKeyType).toBe('ec');
  });
});
