import { EventWebhook } from '@sendgrid/eventwebhook';
import twilio from 'twilio';

/**
 * The providers' own signature checks, from their official libraries: SendGrid's ECDSA (P-256,
 * SHA-256) over the timestamp header followed by the raw body, and Twilio's HMAC-SHA1 over the full
 * URL followed by the form fields sorted by name.
 */
export function sendGridVerifier(publicKey: string) {
  const webhook = new EventWebhook();
  // SendGrid shows the key as base64 DER; the library reads PEM, with or without its armour.
  const key = webhook.convertPublicKeyToECDSA(
    publicKey.includes('BEGIN PUBLIC KEY')
      ? publicKey
      : `-----BEGIN PUBLIC KEY-----\n${publicKey}\n-----END PUBLIC KEY-----`,
  );
  return (payload: string, signature: string, timestamp: string): boolean =>
    webhook.verifySignature(key, payload, signature, timestamp);
}

export function twilioVerifier(authToken: string) {
  return (signature: string, url: string, params: Record<string, string>): boolean =>
    twilio.validateRequest(authToken, signature, url, params);
}
