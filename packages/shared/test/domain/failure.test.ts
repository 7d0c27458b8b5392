import { HeraldError, deliveryKey, failureHeaders, readFailureHistory, stableEventId } from '@herald/shared';

describe('failureHeaders', () => {
  const now = Date.UTC(2026, 0, 1);

  it('starts the history of a first failure', () => {
    const h = failureHeaders(new HeraldError('provider_unavailable', 'HTTP 503'), {
      sourceTopic: 'notify.channel.email.high',
      previous: {},
      now,
    });
    expect(h).toEqual({
      attempt: '1',
      'error-class': 'transient',
      error: 'provider_unavailable: HTTP 503',
      'first-failed-at': '2026-01-01T00:00:00.000Z',
      'target-topic': 'notify.channel.email.high',
      failures: JSON.stringify([
        { attempt: 1, at: '2026-01-01T00:00:00.000Z', error: 'provider_unavailable: HTTP 503' },
      ]),
    });
  });

  it('keeps the history of a record that failed before', () => {
    const h = failureHeaders(new HeraldError('invalid_address', 'rejected'), {
      sourceTopic: 'notify.channel.email.high',
      previous: {
        attempt: '3',
        firstFailedAt: '2025-12-31T00:00:00.000Z',
        targetTopic: 'notify.channel.email.low',
      },
      now,
    });
    expect(h.attempt).toBe('4');
    expect(h['error-class']).toBe('permanent');
    expect(h['first-failed-at']).toBe('2025-12-31T00:00:00.000Z');
    expect(h['target-topic']).toBe('notify.channel.email.low');
  });

  it('appends to the failure history, keeping the first and the latest nine, and shrugs off a garbled one', () => {
    let previous: { attempt?: string; failures?: string } = {};
    for (let i = 1; i <= 12; i++) {
      const h = failureHeaders(new HeraldError('provider_unavailable', `HTTP 503 #${i}`), {
        sourceTopic: 't',
        previous,
        now: now + i,
      });
      previous = { attempt: h.attempt, failures: h.failures };
    }
    const history = readFailureHistory(previous.failures);
    expect(history.map((e) => e.attempt)).toEqual([1, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(history[0]?.error).toBe('provider_unavailable: HTTP 503 #1');
    expect(history.at(-1)).toEqual({
      attempt: 12,
      at: '2026-01-01T00:00:00.012Z',
      error: 'provider_unavailable: HTTP 503 #12',
    });
    expect(readFailureHistory('{not json')).toEqual([]);
    expect(readFailureHistory('[{"attempt":"x"}]')).toEqual([]);
    const h = failureHeaders(new HeraldError('unknown', 'x'), {
      sourceTopic: 't',
      previous: { failures: 'garbage' },
      now,
    });
    expect(readFailureHistory(h.failures)).toHaveLength(1);
  });

  it('survives a garbage attempt header and bounds the error text', () => {
    const h = failureHeaders(new HeraldError('unknown', 'x'.repeat(2000)), {
      sourceTopic: 't',
      previous: { attempt: 'many' },
      now,
    });
    expect(h.attempt).toBe('1');
    expect(h.error?.length).toBeLessThanOrEqual(500);
  });
});

describe('deliveryKey', () => {
  it('is stable per (notification, channel, address) and holds no address', () => {
    const a = deliveryKey({ notificationId: 'n1', channel: 'EMAIL', address: 'ada@example.com' });
    expect(a).toBe(deliveryKey({ notificationId: 'n1', channel: 'EMAIL', address: 'ada@example.com' }));
    expect(a).not.toBe(deliveryKey({ notificationId: 'n1', channel: 'EMAIL', address: 'bob@example.com' }));
    expect(a).not.toBe(deliveryKey({ notificationId: 'n1', channel: 'SMS', address: 'ada@example.com' }));
    expect(a).not.toContain('ada');
  });
});

describe('stableEventId', () => {
  it('derives the same UUID-shaped id from the same parts', () => {
    const id = stableEventId('k', 'SENT');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableEventId('k', 'SENT')).toBe(id);
    expect(stableEventId('k', 'PARKED')).not.toBe(id);
  });
});
