import { dispatchAddress, planDispatch, toChannelMessage } from '../src/dispatch-workload';
import { refIndex, seededRandom } from '../src/workload';

describe('planDispatch', () => {
  const sms = planDispatch({ count: 2000, channel: 'SMS', users: 1000, rand: seededRandom(1), tag: 'QWER' });

  it('is the same for the same seed', () => {
    const again = planDispatch({
      count: 2000,
      channel: 'SMS',
      users: 1000,
      rand: seededRandom(1),
      tag: 'QWER',
    });
    expect(again).toEqual(sms);
  });

  it('puts the reference in every SMS text, one expected delivery each', () => {
    sms.forEach((p, i) => {
      expect(p.index).toBe(i);
      expect(refIndex('QWER', p.body)).toBe(i);
      expect(p.expected).toBe(1);
      expect(p.address).toMatch(/^\+[1-9]\d{6,14}$/);
      expect(p.subject).toBeNull();
      expect(p.unsubscribable).toBe(false);
    });
  });

  it('spreads the messages over many users (so over every partition)', () => {
    expect(new Set(sms.map((p) => p.userId)).size).toBeGreaterThan(800);
  });

  it('renders email as the generic template does, unsubscribable unless required', () => {
    const email = planDispatch({
      count: 500,
      channel: 'EMAIL',
      users: 100,
      rand: seededRandom(2),
      tag: 'ASDF',
    });
    for (const p of email) {
      expect(p.address).toMatch(/^[a-z]+\.\d+@example\.com$/);
      expect(p.subject).toEqual(expect.any(String));
      expect(p.unsubscribable).toBe(p.category !== 'security');
    }
    expect(email.some((p) => p.category === 'security')).toBe(true);
  });
});

describe('dispatchAddress', () => {
  it('gives each user an address of their own', () => {
    expect(dispatchAddress('SMS', 42)).toBe('+447700900042');
    expect(dispatchAddress('EMAIL', 42)).toBe('linus.42@example.com');
  });
});

describe('toChannelMessage', () => {
  it('is the record the router writes for one address', () => {
    const [p] = planDispatch({ count: 1, channel: 'EMAIL', users: 10, rand: seededRandom(3), tag: 'ZXCV' });
    if (!p) throw new Error('planned nothing');
    const m = toChannelMessage(p, 'EMAIL', 'n-1', 1234);
    expect(m).toMatchObject({
      notificationId: 'n-1',
      userId: p.userId,
      channel: 'EMAIL',
      priority: 'NORMAL',
      address: p.address,
      subject: p.subject,
      body: p.body,
      html: null,
      createdAt: 1234,
      expiresAt: null,
    });
    expect(JSON.parse(m.data)).toEqual({ notificationId: 'n-1', category: p.category });
  });
});
