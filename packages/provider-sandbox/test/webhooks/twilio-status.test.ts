import twilio from 'twilio';
import type { SandboxMessage } from '../../src/store';
import { twilioSignature, twilioStatusForm } from '../../src/webhooks/twilio-status';

const sid = `SM${'a'.repeat(32)}`;
const message = (from: string): SandboxMessage => ({
  id: 'm1',
  provider: 'twilio',
  channel: 'sms',
  to: '+15551234567',
  from,
  body: 'hi',
  statusCallback: 'https://herald.test/v1/webhooks/twilio',
  providerMessageId: sid,
  receivedAt: '2030-01-01T00:00:00.000Z',
  accepted: true,
  status: 201,
});
const credentials = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'token-1' };

describe('twilioStatusForm', () => {
  it("has Twilio's fields, and ErrorCode when given", () => {
    expect(
      twilioStatusForm(message('+15005550006'), credentials, {
        providerMessageId: sid,
        status: 'failed',
        errorCode: '30003',
      }),
    ).toEqual({
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: 'failed',
      SmsStatus: 'failed',
      To: '+15551234567',
      From: '+15005550006',
      AccountSid: credentials.accountSid,
      ApiVersion: '2010-04-01',
      ErrorCode: '30003',
    });
  });

  it('names the messaging service of a message sent through one', () => {
    const form = twilioStatusForm(message('MG0123'), credentials, { providerMessageId: sid, status: 'sent' });
    expect(form).toMatchObject({ MessagingServiceSid: 'MG0123' });
    expect(form).not.toHaveProperty('From');
    expect(form).not.toHaveProperty('ErrorCode');
  });
});

describe('twilioSignature', () => {
  it.each([
    ['https://herald.test/v1/webhooks/twilio', { MessageSid: sid, MessageStatus: 'delivered' }],
    ['http://127.0.0.1:8080/hook?tenant=a&b=c d', { b: 'ü', A: '1', a: '' }],
  ])('is what the twilio library expects for %s', (url, fields) => {
    const signature = twilioSignature('token-1', url, fields);
    expect(signature).toBe(twilio.getExpectedTwilioSignature('token-1', url, fields));
    expect(twilio.validateRequest('token-1', signature, url, fields)).toBe(true);
    expect(twilio.validateRequest('token-2', signature, url, fields)).toBe(false);
  });
});
