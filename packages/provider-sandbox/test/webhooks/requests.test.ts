import { parseSendGridEventRequest, parseTwilioStatusRequest } from '../../src/webhooks/requests';

describe('parseSendGridEventRequest', () => {
  it('reads a minimal and a full request', () => {
    expect(parseSendGridEventRequest({ providerMessageId: 'abc', event: 'delivered' })).toEqual({
      ok: true,
      value: { providerMessageId: 'abc', event: 'delivered' },
    });
    const full = {
      providerMessageId: 'abc',
      event: 'bounce',
      type: 'blocked',
      reason: '550 5.7.1 blocked',
      url: 'https://example.test/hook?x=1',
    };
    expect(parseSendGridEventRequest(full)).toEqual({ ok: true, value: full });
  });

  it('lists every problem at once', () => {
    expect(
      parseSendGridEventRequest({
        event: 'clicked',
        type: 'soft',
        reason: '',
        url: 'ftp://example.test',
        extra: 1,
      }),
    ).toEqual({
      ok: false,
      problems: [
        "unknown field 'extra' (use providerMessageId, event, type, reason, url)",
        'providerMessageId is required: the id the sandbox answered the message with',
        'event must be one of delivered, bounce, dropped, spamreport, deferred, open',
        'type must be one of bounce, blocked',
        'reason must be a non-empty string',
        'url must be an absolute http or https URL',
      ],
    });
  });

  it('refuses a type or reason the event has no use for', () => {
    expect(
      parseSendGridEventRequest({ providerMessageId: 'a', event: 'open', type: 'bounce', reason: 'x' }),
    ).toEqual({
      ok: false,
      problems: [
        'type applies only to event bounce',
        'reason applies only to events delivered, deferred, bounce, dropped',
      ],
    });
  });

  it('refuses a body that is not an object', () => {
    expect(parseSendGridEventRequest([])).toEqual({ ok: false, problems: ['body must be a JSON object'] });
    expect(parseSendGridEventRequest(null)).toEqual({ ok: false, problems: ['body must be a JSON object'] });
  });
});

describe('parseTwilioStatusRequest', () => {
  it('reads a request, with an error code for a failure', () => {
    expect(parseTwilioStatusRequest({ providerMessageId: 'SM1', status: 'delivered' })).toEqual({
      ok: true,
      value: { providerMessageId: 'SM1', status: 'delivered' },
    });
    expect(
      parseTwilioStatusRequest({ providerMessageId: 'SM1', status: 'undelivered', errorCode: '30003' }),
    ).toEqual({
      ok: true,
      value: { providerMessageId: 'SM1', status: 'undelivered', errorCode: '30003' },
    });
  });

  it('lists every problem at once', () => {
    expect(
      parseTwilioStatusRequest({ providerMessageId: 7, status: 'read', errorCode: 30003, to: 'x' }),
    ).toEqual({
      ok: false,
      problems: [
        "unknown field 'to' (use providerMessageId, status, errorCode)",
        'providerMessageId is required: the id the sandbox answered the message with',
        'status must be one of queued, sent, delivered, undelivered, failed',
        "errorCode must be a Twilio error code: five digits as a string, e.g. '30003'",
      ],
    });
  });

  it('refuses an error code on a status that has none', () => {
    expect(
      parseTwilioStatusRequest({ providerMessageId: 'SM1', status: 'delivered', errorCode: '30003' }),
    ).toEqual({
      ok: false,
      problems: ['errorCode applies only to status undelivered or failed'],
    });
  });
});
