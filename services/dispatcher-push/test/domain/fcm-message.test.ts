import type { ChannelMessage } from '@herald/shared/domain';
import { groupByContent, pushContent } from '../../src/domain/fcm-message';

const NOW = Date.UTC(2026, 11, 2, 12);
const message = (over: Partial<ChannelMessage> = {}): ChannelMessage => ({
  notificationId: 'n1',
  userId: 'u1',
  category: 'account',
  channel: 'PUSH',
  priority: 'NORMAL',
  address: 'tok-1',
  subject: null,
  title: 'Hi',
  body: 'There',
  html: null,
  data: '{"notificationId":"n1"}',
  locale: 'en',
  createdAt: NOW,
  expiresAt: null,
  ...over,
});

describe('pushContent', () => {
  it('wakes the device for critical and high: Android high, APNs 10', () => {
    for (const priority of ['CRITICAL', 'HIGH'] as const) {
      const c = pushContent(message({ priority }), NOW);
      expect(c?.android.priority).toBe('high');
      expect(c?.apns.headers['apns-priority']).toBe('10');
    }
  });

  it('lets normal and low wait: Android normal, APNs 5', () => {
    for (const priority of ['NORMAL', 'LOW'] as const) {
      const c = pushContent(message({ priority }), NOW);
      expect(c?.android.priority).toBe('normal');
      expect(c?.apns.headers['apns-priority']).toBe('5');
    }
  });

  it("takes the request's TTL and collapse key for both platforms", () => {
    const c = pushContent(message({ ttlSeconds: 600, collapseKey: 'score' }), NOW);
    expect(c?.android).toEqual({ priority: 'normal', ttl: 600_000, collapseKey: 'score' });
    expect(c?.apns.headers).toEqual({
      'apns-priority': '5',
      'apns-expiration': String(NOW / 1000 + 600),
      'apns-collapse-id': 'score',
    });
  });

  it('without a TTL, keeps the message until expiresAt, and never a negative TTL', () => {
    expect(pushContent(message({ expiresAt: NOW + 90_500 }), NOW)?.android.ttl).toBe(90_000);
    const past = pushContent(message({ expiresAt: NOW - 1 }), NOW);
    expect(past?.android.ttl).toBe(0);
    expect(past?.apns.headers['apns-expiration']).toBe('0');
    expect(pushContent(message(), NOW)?.android.ttl).toBeUndefined();
  });

  it('carries title, body and data; null for data that is not an object', () => {
    expect(pushContent(message(), NOW)).toEqual(
      expect.objectContaining({
        notification: { title: 'Hi', body: 'There' },
        data: { notificationId: 'n1' },
      }),
    );
    expect(pushContent(message({ title: null, data: '' }), NOW)?.notification).toEqual({ body: 'There' });
    expect(pushContent(message({ data: '[1]' }), NOW)).toBeNull();
  });
});

describe('groupByContent', () => {
  const content = (m: ChannelMessage) => pushContent(m, NOW) ?? (undefined as never);

  it('groups messages of the same content, in first-seen order', () => {
    const a1 = message({ address: 'a1' });
    const b = message({ address: 'b', notificationId: 'n2', data: '{"notificationId":"n2"}' });
    const a2 = message({ address: 'a2' });
    const groups = groupByContent([a1, b, a2], content);
    expect(groups.map((g) => g.items.map((m) => m.address))).toEqual([['a1', 'a2'], ['b']]);
  });

  it('never puts different priorities or TTLs together', () => {
    const groups = groupByContent(
      [
        message({ address: 'x' }),
        message({ address: 'y', priority: 'HIGH' }),
        message({ address: 'z', ttlSeconds: 5 }),
      ],
      content,
    );
    expect(groups).toHaveLength(3);
  });

  it('splits a group at the largest multicast', () => {
    const many = Array.from({ length: 7 }, (_, i) => message({ address: `t${i}` }));
    expect(groupByContent(many, content, 3).map((g) => g.items.length)).toEqual([3, 3, 1]);
  });
});
