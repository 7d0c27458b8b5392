import { readFailure, subjectOf } from '../../src/domain/failure-record';

describe('readFailure', () => {
  it('reads the headers written by failureHeaders', () => {
    expect(
      readFailure({
        attempt: '2',
        'error-class': 'permanent',
        error: 'invalid_address: provider rejected the recipient',
        'first-failed-at': '2026-01-01T00:00:00.000Z',
        'target-topic': 'notify.channel.email.high',
      }),
    ).toEqual({
      reason: 'invalid_address',
      errorClass: 'permanent',
      attempts: 2,
      error: 'invalid_address: provider rejected the recipient',
      firstFailedAt: new Date('2026-01-01T00:00:00.000Z'),
      targetTopic: 'notify.channel.email.high',
      history: [],
      previousDelayMs: undefined,
    });
    const retried = readFailure({
      attempt: '3',
      error: 'provider_unavailable: 503',
      failures: JSON.stringify([
        { attempt: 2, at: '2026-01-01T00:00:01.000Z', error: 'provider_unavailable: 503' },
      ]),
      'retry-delay-ms': '1800',
    });
    expect(retried.history).toEqual([
      { attempt: 2, at: '2026-01-01T00:00:01.000Z', error: 'provider_unavailable: 503' },
    ]);
    expect(retried.previousDelayMs).toBe(1800);
  });

  it('copes with a record that has no failure headers at all', () => {
    expect(readFailure({})).toEqual({
      reason: 'unknown',
      errorClass: 'transient',
      attempts: 1,
      error: null,
      firstFailedAt: null,
      targetTopic: null,
      history: [],
      previousDelayMs: undefined,
    });
    expect(readFailure({ attempt: '-3', 'first-failed-at': 'yesterday', 'retry-delay-ms': 'soon' })).toEqual(
      expect.objectContaining({ attempts: 1, firstFailedAt: null, previousDelayMs: undefined }),
    );
  });
});

describe('subjectOf', () => {
  it('finds the notification of a channel message or of a request', () => {
    const n1 = '0b8f2d52-6f0e-4a53-9a55-2f5a1d1f0d11';
    expect(subjectOf({ notificationId: n1, channel: 'SMS', address: 'x', expiresAt: 5 })).toEqual({
      notificationId: n1,
      channel: 'SMS',
      expiresAt: 5,
    });
    expect(subjectOf({ id: n1, userId: 'u', priority: 'LOW', expiresAt: null })).toEqual({
      notificationId: n1,
      channel: null,
      expiresAt: null,
    });
  });

  it('finds nothing in anything else', () => {
    expect(subjectOf(null)).toBeNull();
    expect(subjectOf('x')).toBeNull();
    expect(subjectOf({ foo: 1 })).toBeNull();
    expect(subjectOf({ id: 'order-42', userId: 'u' })).toBeNull();
    expect(subjectOf({ notificationId: 'not-a-uuid', channel: 'SMS', address: 'x' })).toBeNull();
    // A status event is not a channel message: no PARKED event for it.
    expect(
      subjectOf({ eventId: 'e', notificationId: '0b8f2d52-6f0e-4a53-9a55-2f5a1d1f0d11', channel: 'SMS' }),
    ).toBeNull();
  });
});
