import { sendGridEvents, twilioCallback } from '../../src/domain/webhooks';

const N = '0b8f2d52-6f0e-4a53-9a55-2f5a1d1f0d11';
const sg = (over: Record<string, unknown>) => ({
  email: 'ada@example.com',
  timestamp: 1_796_000_000,
  sg_event_id: 'ev-1',
  sg_message_id: 'msg-1.filter0001.16648.5515E0B88.0',
  notificationId: N,
  ...over,
});

describe('sendGridEvents', () => {
  it('turns delivered into a delivered event with the message id SendGrid returned at send', () => {
    expect(sendGridEvents([sg({ event: 'delivered' })], 5)).toEqual({
      events: [
        {
          eventKey: 'sendgrid:ev-1',
          notificationId: N,
          channel: 'EMAIL',
          status: 'DELIVERED',
          reason: null,
          providerMessageId: 'msg-1',
          at: 1_796_000_000_000,
        },
      ],
      suppressions: [],
      ignored: 0,
    });
  });

  it('suppresses the address on a hard bounce, not on a block', () => {
    const hard = sendGridEvents([sg({ event: 'bounce', type: 'bounce' })], 5);
    expect(hard.events[0]).toEqual(expect.objectContaining({ status: 'BOUNCED', reason: 'hard_bounce' }));
    expect(hard.suppressions).toEqual([
      { channel: 'EMAIL', address: 'ada@example.com', reason: 'sendgrid:bounce' },
    ]);
    const blocked = sendGridEvents([sg({ event: 'bounce', type: 'blocked' })], 5);
    expect(blocked.events[0]).toEqual(expect.objectContaining({ status: 'BOUNCED', reason: 'blocked' }));
    expect(blocked.suppressions).toEqual([]);
  });

  it('suppresses an address SendGrid dropped as bounced, and on a spam report', () => {
    const dropped = sendGridEvents([sg({ event: 'dropped', reason: 'Bounced Address' })], 5);
    expect(dropped.events[0]).toEqual(expect.objectContaining({ status: 'UNDELIVERED', reason: 'dropped' }));
    expect(dropped.suppressions).toHaveLength(1);
    expect(
      sendGridEvents([sg({ event: 'dropped', reason: 'Unsubscribed Address' })], 5).suppressions,
    ).toEqual([]);
    const spam = sendGridEvents([sg({ event: 'spamreport' })], 5);
    expect(spam.events).toEqual([]);
    expect(spam.suppressions).toEqual([
      { channel: 'EMAIL', address: 'ada@example.com', reason: 'sendgrid:spamreport' },
    ]);
  });

  it('ignores other events, events of mail Herald did not send, and a body that is not an array', () => {
    const out = sendGridEvents(
      [
        sg({ event: 'open' }),
        sg({ event: 'processed' }),
        sg({ event: 'delivered', notificationId: undefined }),
        sg({ event: 'delivered', notificationId: 'not-a-uuid' }),
        'junk',
      ],
      5,
    );
    expect(out.events).toEqual([]);
    expect(out.ignored).toBe(3);
    expect(sendGridEvents({ event: 'delivered' }, 5)).toEqual({ events: [], suppressions: [], ignored: 0 });
  });
});

describe('twilioCallback', () => {
  const form = (f: Record<string, string>) =>
    new URLSearchParams({ MessageSid: 'SM1', To: '+14155550100', AccountSid: 'AC1', ...f });

  it('turns delivered into a delivered event', () => {
    expect(twilioCallback(form({ MessageStatus: 'delivered' }), N, 5)).toEqual({
      events: [
        {
          eventKey: 'twilio:SM1:delivered',
          notificationId: N,
          channel: 'SMS',
          status: 'DELIVERED',
          reason: null,
          providerMessageId: 'SM1',
          at: 5,
        },
      ],
      suppressions: [],
      ignored: 0,
    });
  });

  it('suppresses the number on undelivered with a code saying it cannot receive, not on a temporary one', () => {
    const dead = twilioCallback(form({ MessageStatus: 'undelivered', ErrorCode: '30005' }), N, 5);
    expect(dead.events[0]).toEqual(
      expect.objectContaining({ status: 'UNDELIVERED', reason: 'twilio:30005' }),
    );
    expect(dead.suppressions).toEqual([{ channel: 'SMS', address: '+14155550100', reason: 'twilio:30005' }]);
    const stop = twilioCallback(form({ MessageStatus: 'failed', ErrorCode: '21610' }), N, 5);
    expect(stop.suppressions).toHaveLength(1);
    const busy = twilioCallback(form({ MessageStatus: 'undelivered', ErrorCode: '30003' }), N, 5);
    expect(busy.events).toHaveLength(1);
    expect(busy.suppressions).toEqual([]);
  });

  it('ignores interim states and callbacks without a notification of ours', () => {
    expect(twilioCallback(form({ MessageStatus: 'sent' }), N, 5).ignored).toBe(1);
    expect(twilioCallback(form({ MessageStatus: 'delivered' }), null, 5).ignored).toBe(1);
    expect(twilioCallback(form({ MessageStatus: 'delivered' }), 'x', 5).events).toEqual([]);
  });
});
