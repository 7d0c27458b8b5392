import { generateKeyPairSync, sign } from 'node:crypto';
import twilio from 'twilio';
import { sendGridVerifier, twilioVerifier } from '../../src/adapters/webhook-signatures';

/** Signs as SendGrid does: ECDSA P-256 / SHA-256 over timestamp + body, base64 DER. */
const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const sendgridSign = (payload: string, timestamp: string) =>
  sign('sha256', Buffer.from(timestamp + payload), { key: pair.privateKey, dsaEncoding: 'der' }).toString(
    'base64',
  );

describe('sendGridVerifier', () => {
  const body = '[{"event":"delivered","email":"a@example.com"}]';
  const ts = '1796200000';

  it('accepts the signature of the exact body and timestamp, with the key as SendGrid shows it or as PEM', () => {
    const signature = sendgridSign(body, ts);
    expect(sendGridVerifier(publicKey)(body, signature, ts)).toBe(true);
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(sendGridVerifier(pem)(body, signature, ts)).toBe(true);
  });

  it('refuses another body, another timestamp, or another key', () => {
    const signature = sendgridSign(body, ts);
    const verify = sendGridVerifier(publicKey);
    expect(verify(body.replace('delivered', 'bounce'), signature, ts)).toBe(false);
    expect(verify(body, signature, '1796200001')).toBe(false);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    expect(sendGridVerifier(other)(body, signature, ts)).toBe(false);
  });
});

describe('twilioVerifier', () => {
  const url = 'https://herald.example.test/v1/webhooks/twilio?notificationId=n1';
  const params = { MessageSid: 'SM1', MessageStatus: 'delivered', To: '+14155550100' };

  it("accepts Twilio's signature of the URL and the form", () => {
    const signature = twilio.getExpectedTwilioSignature('token', url, params);
    expect(twilioVerifier('token')(signature, url, params)).toBe(true);
  });

  it('refuses a changed field, another URL, or another auth token', () => {
    const signature = twilio.getExpectedTwilioSignature('token', url, params);
    const verify = twilioVerifier('token');
    expect(verify(signature, url, { ...params, MessageStatus: 'failed' })).toBe(false);
    expect(verify(signature, url.replace('n1', 'n2'), params)).toBe(false);
    expect(twilioVerifier('other')(signature, url, params)).toBe(false);
  });
});
