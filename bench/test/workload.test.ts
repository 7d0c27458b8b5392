import {
  expectedDeliveries,
  makeUsers,
  phaseTag,
  planNotifications,
  refIndex,
  refToken,
  seededRandom,
  toHttpBody,
  toRequest,
} from '../src/workload';

describe('workload', () => {
  const users = makeUsers(500, seededRandom(1));

  it('is the same for the same seed', () => {
    expect(makeUsers(20, seededRandom(7))).toEqual(makeUsers(20, seededRandom(7)));
  });

  it('makes users with valid, deliverable addresses', () => {
    for (const u of users) {
      if (u.phone) expect(u.phone).toMatch(/^\+[1-9]\d{6,14}$/);
      if (u.email) expect(u.email).toMatch(/@example\.com$/);
      for (const t of u.tokens) expect(t).not.toMatch(/^(invalid|unregistered)-/);
    }
    expect(users.filter((u) => u.email).length / users.length).toBeGreaterThan(0.8);
    expect(users.some((u) => u.tokens.length === 2)).toBe(true);
  });

  it('round-trips a reference through a message text', () => {
    const ref = refToken('QWER', 123_456);
    expect(refIndex('QWER', `Good news: order ${ref} is on its way.`)).toBe(123_456);
    expect(refIndex('QWER', `Ref ${ref}`)).toBe(123_456);
    expect(refIndex('ASDF', `Ref ${ref}`)).toBeNull();
    expect(phaseTag(seededRandom(3))).toMatch(/^[A-Z]{4}$/);
  });

  it('expects one message per address on each requested channel', () => {
    const u = {
      id: 'u',
      name: 'A',
      email: 'a@x.io',
      phone: null,
      locale: 'en',
      timezone: 'UTC',
      tokens: ['t1', 't2'],
    };
    expect(expectedDeliveries(u, ['email', 'sms', 'push'])).toBe(3);
    expect(expectedDeliveries(u, ['sms'])).toBe(0);
  });

  it('mixes priorities and channels, with a reference in every text an SMS carries', () => {
    const planned = planNotifications({ count: 4000, users, rand: seededRandom(2), tag: 'ABCD' });
    const share = (p: string) => planned.filter((n) => n.priority === p).length / planned.length;
    expect(share('normal') + share('low')).toBeGreaterThan(0.8);
    expect(share('critical')).toBeGreaterThan(0.005);
    expect(share('critical')).toBeLessThan(0.05);
    for (const n of planned) {
      if (n.channels.includes('sms')) {
        expect(n.templateId).toBe('generic');
        expect(refIndex('ABCD', n.data.body ?? '')).toBe(n.index);
      }
    }
    expect(planned.some((n) => n.templateId === 'welcome')).toBe(true);
    expect(new Set(planned.map((n) => n.channels.join('+'))).size).toBeGreaterThanOrEqual(5);
  });

  it('can force a lane and an index offset', () => {
    const planned = planNotifications({
      count: 3,
      users,
      rand: seededRandom(2),
      tag: 'ABCD',
      lane: 'critical',
      firstIndex: 10,
    });
    expect(planned.map((n) => [n.index, n.priority])).toEqual([
      [10, 'critical'],
      [11, 'critical'],
      [12, 'critical'],
    ]);
  });

  it('builds the Kafka record and the HTTP body', () => {
    const [p] = planNotifications({ count: 1, users, rand: seededRandom(5), tag: 'ABCD' });
    if (!p) throw new Error('no notification');
    const r = toRequest(p, 'id-1', 42);
    expect(r).toMatchObject({ id: 'id-1', userId: p.userId, createdAt: 42, to: null, dedupKey: null });
    expect(r.priority).toBe(p.priority.toUpperCase());
    expect(JSON.parse(r.data)).toEqual(p.data);
    expect(toHttpBody(p)).toEqual({
      userId: p.userId,
      category: p.category,
      priority: p.priority,
      templateId: p.templateId,
      channels: p.channels,
      data: p.data,
    });
  });
});
