import { MessageStore } from '../src/store';
import type { MessageInput } from '../src/store';

const input = (to: string, accepted = true): MessageInput => ({
  provider: 'twilio',
  to,
  body: 'b',
  providerMessageId: accepted ? `SM-${to}` : null,
  accepted,
  status: accepted ? 201 : 400,
});

describe('MessageStore', () => {
  it('stamps id, channel and time', () => {
    const store = new MessageStore({ now: () => new Date('2030-01-02T03:04:05.000Z') });
    expect(store.record(input('+1555'))).toEqual({
      ...input('+1555'),
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      channel: 'sms',
      receivedAt: '2030-01-02T03:04:05.000Z',
    });
  });

  it('keeps only the newest `capacity` messages', () => {
    const store = new MessageStore({ capacity: 3 });
    for (const to of ['1', '2', '3', '4', '5']) store.record(input(to));
    expect(store.list().map((m) => m.to)).toEqual(['3', '4', '5']);
    expect(store.size).toBe(3);
  });

  it('stamps receivedAt with milliseconds', () => {
    const store = new MessageStore({ now: () => new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 6)) });
    expect(store.record(input('+1555')).receivedAt).toBe('2030-01-02T03:04:05.006Z');
  });

  describe('maxPerSecond', () => {
    const at = (times: number[], to = (i: number) => `+1555${i}`) => {
      const clock = { t: 0 };
      const store = new MessageStore({ now: () => new Date(clock.t) });
      times.forEach((t, i) => {
        clock.t = t;
        store.record(input(to(i), i % 2 === 0));
      });
      return store;
    };

    it('is 0 without messages', () => {
      expect(new MessageStore().maxPerSecond()).toBe(0);
    });

    it('counts the busiest window [t, t + 1000 ms), accepted or not', () => {
      expect(at([0, 999]).maxPerSecond()).toBe(2);
      expect(at([0, 1000]).maxPerSecond()).toBe(1);
      expect(at([0, 100, 900, 1050, 1100, 1899, 1900, 5000]).maxPerSecond()).toBe(4);
    });

    it('finds the window wherever it starts, in any arrival order', () => {
      expect(at([3000, 200, 2500, 250, 2999, 1199]).maxPerSecond()).toBe(3);
    });

    it('counts only matching messages', () => {
      const store = at([0, 10, 20, 30], (i) => (i < 3 ? 'a' : 'b'));
      expect(store.maxPerSecond({ to: 'a' })).toBe(3);
      expect(store.maxPerSecond({ provider: 'fcm' })).toBe(0);
      expect(store.maxPerSecond({ accepted: true })).toBe(2);
    });
  });

  it('filters and clears', () => {
    const store = new MessageStore();
    store.record(input('a'));
    store.record(input('b', false));
    expect(store.list({ accepted: false }).map((m) => m.to)).toEqual(['b']);
    expect(store.list({ channel: 'email' })).toEqual([]);
    store.clear();
    expect(store.list()).toEqual([]);
  });

  it('finds messages by provider message id', () => {
    const store = new MessageStore();
    store.record({ ...input('a'), providerMessageId: 'X1' });
    store.record({ ...input('b'), providerMessageId: 'X1' });
    store.record(input('c'));
    expect(store.byProviderMessageId('X1').map((m) => m.to)).toEqual(['a', 'b']);
    expect(store.byProviderMessageId('nope')).toEqual([]);
  });

  it('keeps Twilio credentials beside a message, never on it', () => {
    const store = new MessageStore();
    const credentials = { accountSid: 'AC1', authToken: 'token-1' };
    const message = store.record(input('a'), credentials);
    expect(store.twilioCredentials(message)).toEqual(credentials);
    expect(JSON.stringify(store.list())).not.toContain('token-1');
    expect(store.twilioCredentials(store.record(input('b')))).toBeUndefined();
  });

  it('keeps no credentials for messages it does not keep', () => {
    const store = new MessageStore({ capacity: 0 });
    const message = store.record(input('a'), { accountSid: 'AC1', authToken: 't' });
    expect(store.twilioCredentials(message)).toBeUndefined();
    expect(store.byProviderMessageId(message.providerMessageId!)).toEqual([]);
  });
});
