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

  it('filters and clears', () => {
    const store = new MessageStore();
    store.record(input('a'));
    store.record(input('b', false));
    expect(store.list({ accepted: false }).map((m) => m.to)).toEqual(['b']);
    expect(store.list({ channel: 'email' })).toEqual([]);
    store.clear();
    expect(store.list()).toEqual([]);
  });
});
