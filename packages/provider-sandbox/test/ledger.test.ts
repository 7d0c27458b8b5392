import { DeliveryLedger } from '../src/ledger';
import type { SandboxMessage } from '../src/store';

type Entry = Pick<SandboxMessage, 'provider' | 'channel' | 'accepted' | 'data' | 'headers' | 'body'>;

const email = (id: string, accepted = true): Entry => ({
  provider: 'sendgrid',
  channel: 'email',
  accepted,
  data: { notificationId: id, category: 'c' },
  body: 'text',
});
const sms = (body: string): Entry => ({ provider: 'twilio', channel: 'sms', accepted: true, body });

describe('DeliveryLedger', () => {
  it('counts accepted and rejected requests per provider without keeping entries by default', () => {
    const ledger = new DeliveryLedger();
    ledger.add(email('n1'), 1);
    ledger.add(email('n2', false), 2);
    ledger.add(sms('hi'), 3);
    const page = ledger.page();
    expect(page.counts).toEqual({
      sendgrid: { accepted: 1, rejected: 1 },
      twilio: { accepted: 1, rejected: 0 },
      fcm: { accepted: 0, rejected: 0 },
      smtp: { accepted: 0, rejected: 0 },
    });
    expect(page).toMatchObject({ from: 0, next: 0, total: 0, at: [], ref: [] });
  });

  it('keeps time, channel and reference of accepted messages: the notification id, else the body', () => {
    const ledger = new DeliveryLedger(true);
    ledger.add(email('n1'), 10);
    ledger.add(email('n2', false), 11);
    ledger.add(sms('Order R42 shipped'), 12);
    expect(ledger.page()).toMatchObject({
      from: 0,
      next: 2,
      total: 2,
      at: [10, 12],
      channel: ['email', 'sms'],
      ref: ['n1', 'Order R42 shipped'],
    });
  });

  it("takes an SMTP message's reference from its X-Herald-Notification-Id header, in any case", () => {
    const ledger = new DeliveryLedger(true);
    const smtp = (headers?: Record<string, string>): Entry => ({
      provider: 'smtp',
      channel: 'email',
      accepted: true,
      body: 'text',
      ...(headers ? { headers } : {}),
    });
    ledger.add(
      smtp({ 'X-Herald-Notification-Id': 'n1', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
      1,
    );
    ledger.add(smtp({ 'x-herald-notification-id': 'n2' }), 2);
    ledger.add(smtp(), 3);
    expect(ledger.page()).toMatchObject({ ref: ['n1', 'n2', 'text'], counts: { smtp: { accepted: 3 } } });
  });

  it('pages from a cursor and clamps out-of-range cursors', () => {
    const ledger = new DeliveryLedger(true);
    for (let i = 0; i < 5; i++) ledger.add(email(`n${i}`), i);
    expect(ledger.page(1, 2)).toMatchObject({ from: 1, next: 3, ref: ['n1', 'n2'] });
    expect(ledger.page(3)).toMatchObject({ from: 3, next: 5, ref: ['n3', 'n4'] });
    expect(ledger.page(99)).toMatchObject({ from: 5, next: 5, ref: [] });
  });

  it('clears entries and counts', () => {
    const ledger = new DeliveryLedger(true);
    ledger.add(email('n1'), 1);
    ledger.clear();
    expect(ledger.page()).toMatchObject({ total: 0, at: [], counts: { sendgrid: { accepted: 0 } } });
  });
});
