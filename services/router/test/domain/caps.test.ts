import { admit, countersFor, parseCapPolicies, parseCaps } from '../../src/domain/caps';
import type { CapCounter } from '../../src/domain/caps';

const HOUR = 3_600_000;

describe('admit (the sliding-window log)', () => {
  const sms: CapCounter = { key: 'cap:{ada}:SMS:3600000', limit: 3, windowMs: HOUR };

  it('admits up to the limit in a window, then refuses until the oldest leaves it', () => {
    const logs = new Map<string, Map<string, number>>();
    const t0 = 1_000_000_000;
    expect(admit(logs, [sms], 'n1', t0)).toEqual({ ok: true });
    expect(admit(logs, [sms], 'n2', t0 + 10 * 60_000)).toEqual({ ok: true });
    expect(admit(logs, [sms], 'n3', t0 + 20 * 60_000)).toEqual({ ok: true });
    expect(admit(logs, [sms], 'n4', t0 + 30 * 60_000)).toEqual({ ok: false, freeAt: t0 + HOUR });
    // The edge: one millisecond before the oldest leaves, still full; at the very moment, room.
    expect(admit(logs, [sms], 'n4', t0 + HOUR - 1)).toEqual({ ok: false, freeAt: t0 + HOUR });
    expect(admit(logs, [sms], 'n4', t0 + HOUR)).toEqual({ ok: true });
    // The next room comes when n2 leaves.
    expect(admit(logs, [sms], 'n5', t0 + HOUR + 1)).toEqual({ ok: false, freeAt: t0 + 10 * 60_000 + HOUR });
  });

  it('counts a notification once: seen again (a redelivery), it is admitted and not counted again', () => {
    const logs = new Map<string, Map<string, number>>();
    expect(admit(logs, [sms], 'n1', 0)).toEqual({ ok: true });
    expect(admit(logs, [sms], 'n1', 1)).toEqual({ ok: true });
    expect(admit(logs, [sms], 'n1', 2)).toEqual({ ok: true });
    expect(logs.get(sms.key)?.size).toBe(1);
    expect(admit(logs, [sms], 'n2', 3)).toEqual({ ok: true });
    expect(admit(logs, [sms], 'n3', 4)).toEqual({ ok: true });
    expect(admit(logs, [sms], 'n1', 5)).toEqual({ ok: true });
  });

  it('takes all counters or none: a message refused by one is counted in no other', () => {
    const logs = new Map<string, Map<string, number>>();
    const daily: CapCounter = { key: 'cap:{ada}:SMS:86400000', limit: 10, windowMs: 24 * HOUR };
    const promo: CapCounter = { key: 'cap:{ada}:SMS:86400000:c:promo', limit: 1, windowMs: 24 * HOUR };
    expect(admit(logs, [daily, promo], 'p1', 0)).toEqual({ ok: true });
    expect(admit(logs, [daily, promo], 'p2', 1)).toEqual({ ok: false, freeAt: 24 * HOUR });
    expect(logs.get(daily.key)?.size).toBe(1);
    expect(admit(logs, [daily], 'o1', 2)).toEqual({ ok: true });
  });

  it('after a limit shrinks, waits until enough have left', () => {
    const logs = new Map([
      [
        sms.key,
        new Map([
          ['a', 0],
          ['b', 10],
          ['c', 20],
          ['d', 30],
        ]),
      ],
    ]);
    expect(admit(logs, [{ ...sms, limit: 2 }], 'e', 40)).toEqual({ ok: false, freeAt: 20 + HOUR });
  });

  it('admits everything with no counters', () => {
    expect(admit(new Map(), [], 'n1', 0)).toEqual({ ok: true });
  });
});

describe('countersFor', () => {
  const central = [
    { channel: 'SMS' as const, limit: 3, windowMs: HOUR },
    { channel: 'SMS' as const, limit: 10, windowMs: 24 * HOUR },
    { channel: 'EMAIL' as const, limit: 20, windowMs: 24 * HOUR },
  ];

  it("has the channel's central caps, keyed under the user's hash tag", () => {
    expect(countersFor('ada', 'SMS', 'orders', central, [])).toEqual([
      { key: 'cap:{ada}:SMS:3600000', limit: 3, windowMs: HOUR },
      { key: 'cap:{ada}:SMS:86400000', limit: 10, windowMs: 24 * HOUR },
    ]);
    expect(countersFor('ada', 'PUSH', 'orders', central, [])).toEqual([]);
  });

  it("lets a category's own caps override the central ones on their channel, stricter or looser", () => {
    const promo = [{ channel: 'SMS' as const, limit: 1, windowMs: 24 * HOUR }];
    expect(countersFor('ada', 'SMS', 'promo', central, promo)).toEqual([
      { key: 'cap:{ada}:SMS:86400000:c:promo', limit: 1, windowMs: 24 * HOUR },
    ]);
    const alerts = [{ channel: 'SMS' as const, limit: 50, windowMs: HOUR }];
    expect(countersFor('ada', 'SMS', 'alerts', central, alerts)).toEqual([
      { key: 'cap:{ada}:SMS:3600000:c:alerts', limit: 50, windowMs: HOUR },
    ]);
    // On other channels the central caps still hold.
    expect(countersFor('ada', 'EMAIL', 'promo', central, promo)).toEqual([
      { key: 'cap:{ada}:EMAIL:86400000', limit: 20, windowMs: 24 * HOUR },
    ]);
  });
});

describe('parseCaps and parseCapPolicies', () => {
  it('reads channel caps and lists every problem', () => {
    expect(parseCaps('sms:3/1h, EMAIL:20/1d')).toEqual({
      ok: true,
      caps: [
        { channel: 'SMS', limit: 3, windowMs: HOUR },
        { channel: 'EMAIL', limit: 20, windowMs: 24 * HOUR },
      ],
    });
    expect(parseCaps('')).toEqual({ ok: true, caps: [] });
    const bad = parseCaps('FAX:1/1h,SMS:0/1h,SMS:3/1w');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toHaveLength(3);
  });

  it('reads policies per priority over the defaults, never for critical', () => {
    expect(parseCapPolicies('low:defer')).toEqual({
      ok: true,
      policies: { HIGH: 'defer', NORMAL: 'defer', LOW: 'defer' },
    });
    const bad = parseCapPolicies('critical:defer,normal:drop');
    expect(!bad.ok && bad.problems).toHaveLength(2);
  });
});
