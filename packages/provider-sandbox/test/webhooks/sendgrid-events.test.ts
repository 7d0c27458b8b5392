import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import type { SandboxMessage } from '../../src/store';
import { sendGridEvents, signSendGridPayload } from '../../src/webhooks/sendgrid-events';
import type { SendGridEventRequest } from '../../src/webhooks/sendgrid-events';

const message = (to: string, id: string, extra: Partial<SandboxMessage> = {}): SandboxMessage => ({
  id,
  provider: 'sendgrid',
  channel: 'email',
  to,
  body: 'b',
  providerMessageId: 'Xm5Lq0Z2RkqYt1n3o8pVaA',
  receivedAt: '2030-01-01T00:00:00.000Z',
  accepted: true,
  status: 202,
  ...extra,
});

const NOW = Date.parse('2030-01-02T03:04:05.678Z');
const ada = message('ada@example.com', '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', {
  categories: ['billing'],
  data: { notificationId: 'n-1', event: 'spoof', category: 'billing' },
});
const bob = message('bob@example.com', '11111111-2222-4333-8444-555555555555');
const request = (extra: Partial<SendGridEventRequest>): SendGridEventRequest => ({
  providerMessageId: 'Xm5Lq0Z2RkqYt1n3o8pVaA',
  event: 'delivered',
  ...extra,
});

describe('sendGridEvents', () => {
  it('makes one event per recipient, with the custom args as top-level fields', () => {
    const [first, second] = sendGridEvents([ada, bob], request({}), NOW);

    expect(first).toEqual({
      email: 'ada@example.com',
      timestamp: Math.floor(NOW / 1000),
      'smtp-id': '<Xm5Lq0Z2RkqYt1n3o8pVaA@ismtpd0001p1sjc2.sendgrid.net>',
      event: 'delivered',
      category: ['billing'],
      sg_event_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      sg_message_id: 'Xm5Lq0Z2RkqYt1n3o8pVaA.filter0001.3870.A5B4C3D2E1F0.0',
      response: '250 OK',
      ip: expect.any(String),
      tls: 1,
      notificationId: 'n-1',
    });
    expect(second).toMatchObject({ email: 'bob@example.com', event: 'delivered' });
    expect(second).not.toHaveProperty('category');
    expect(second?.sg_message_id).toMatch(/^Xm5Lq0Z2RkqYt1n3o8pVaA\.filter0001\./);
    expect(second?.sg_message_id).not.toBe(first?.sg_message_id);
    expect(second?.sg_event_id).not.toBe(first?.sg_event_id);
  });

  it('gives a recipient the same sg_message_id in every event', () => {
    const ids = ['delivered', 'open'].map(
      (event) => sendGridEvents([ada], request({ event: event as 'open' }), NOW)[0]?.sg_message_id,
    );
    expect(ids[0]).toBe(ids[1]);
  });

  it.each<[Partial<SendGridEventRequest>, Record<string, unknown>]>([
    [
      { event: 'bounce' },
      {
        type: 'bounce',
        reason: '550 5.1.1 The email account that you tried to reach does not exist.',
        status: '5.1.1',
      },
    ],
    [
      { event: 'bounce', type: 'blocked', reason: 'mailbox blocked' },
      { type: 'blocked', reason: 'mailbox blocked', status: '5.0.0' },
    ],
    [{ event: 'dropped' }, { reason: 'Bounced Address', status: '5.0.0' }],
    [
      { event: 'dropped', reason: 'Unsubscribed Address' },
      { reason: 'Unsubscribed Address', status: '5.0.0' },
    ],
    [
      { event: 'deferred', reason: '421 4.7.0 try later' },
      { response: '421 4.7.0 try later', attempt: '1' },
    ],
    [{ event: 'open' }, { sg_machine_open: false, useragent: expect.any(String) }],
    [{ event: 'spamreport' }, { event: 'spamreport' }],
  ])('adds what a %j event carries', (extra, expected) => {
    const [event] = sendGridEvents([bob], request(extra), NOW);
    expect(event).toMatchObject({ event: extra.event, ...expected });
  });
});

describe('signSendGridPayload', () => {
  it('signs the timestamp followed by the body, ECDSA P-256 SHA-256, base64 DER', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const body = JSON.stringify([{ email: 'zoë@example.com' }]);
    const signature = signSendGridPayload(privateKey, '1900000000', body);

    const der = Buffer.from(signature, 'base64');
    expect(der[0]).toBe(0x30); // an ASN.1 SEQUENCE, not the 64-byte P1363 form
    const key = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
    expect(verify('sha256', Buffer.from(`1900000000${body}`), key, der)).toBe(true);
    expect(verify('sha256', Buffer.from(`1900000001${body}`), key, der)).toBe(false);
  });
});
