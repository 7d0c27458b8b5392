import { CliError } from '../../src/domain/errors';
import { notificationFromFlags, parseJsonObject } from '../../src/domain/send';

describe('notificationFromFlags', () => {
  it('maps the flags to the API body, sending only what was given', () => {
    expect(
      notificationFromFlags({
        user: 'ada',
        template: 'welcome',
        category: 'account',
        priority: 'HIGH',
        channels: 'email, push,email',
        data: '{"name":"Ada","n":2}',
        dedupKey: 'order-42',
        tags: 'eu,beta',
        sendAt: '2026-11-23T10:00:00+01:00',
      }),
    ).toEqual({
      userId: 'ada',
      templateId: 'welcome',
      category: 'account',
      priority: 'high',
      channels: ['email', 'push'],
      data: { name: 'Ada', n: 2 },
      dedupKey: 'order-42',
      tags: ['eu', 'beta'],
      sendAt: '2026-11-23T09:00:00.000Z',
    });
    expect(notificationFromFlags({ user: 'bob' })).toEqual({ userId: 'bob' });
  });

  it.each([
    [{}, /--user is required/],
    [
      { user: 'a', priority: 'urgent' },
      /--priority must be one of critical, high, normal, low \(got "urgent"\)/,
    ],
    [{ user: 'a', channels: 'email,fax' }, /--channels must be one of email, sms, push \(got "fax"\)/],
    [{ user: 'a', channels: ' , ' }, /--channels needs at least one/],
    [{ user: 'a', data: '{name:1}' }, /--data is not valid JSON/],
    [{ user: 'a', data: '[1,2]' }, /--data must be a JSON object/],
    [{ user: 'a', sendAt: 'tomorrow' }, /--send-at must be an ISO 8601 date-time with a time zone/],
    [{ user: 'a', expiresAt: '2026-11-23T10:00:00' }, /--expires-at must be an ISO 8601/],
  ])('refuses %j as a usage error (exit 2)', (flags, message) => {
    let thrown: unknown;
    try {
      notificationFromFlags(flags);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message).toMatch(message);
    expect((thrown as CliError).exitCode).toBe(2);
  });

  it('names the source of bad JSON', () => {
    expect(() => parseJsonObject('nope', 'data.json')).toThrow(/^data\.json is not valid JSON/);
    expect(parseJsonObject(' {"a":{"b":[1]}} ', 'x')).toEqual({ a: { b: [1] } });
  });
});
