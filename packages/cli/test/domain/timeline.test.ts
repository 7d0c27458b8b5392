import { formatTimeline, isSettled } from '../../src/domain/timeline';

describe('formatTimeline', () => {
  it("shows the channels' statuses, then every step in time order, with the time since creation", () => {
    const accepted = { status: 'accepted', at: '2026-01-31T12:00:00.000Z' };
    const routed = { status: 'routed', at: '2026-01-31T12:00:00.120Z' };
    const text = formatTimeline({
      id: 'n1',
      userId: 'ada',
      category: 'account',
      priority: 'high',
      createdAt: '2026-01-31T12:00:00.000Z',
      status: 'partially_sent',
      timeline: [accepted, routed],
      channels: {
        email: {
          status: 'sent',
          timeline: [
            accepted,
            routed,
            { status: 'sent', at: '2026-01-31T12:00:01.500Z', providerMessageId: 'sg-1' },
          ],
        },
        sms: {
          status: 'suppressed',
          timeline: [
            accepted,
            routed,
            { status: 'suppressed', at: '2026-01-31T12:00:00.130Z', reason: 'no_address' },
          ],
        },
      },
    });
    expect(text.split('\n')).toEqual([
      'notification n1: partially_sent',
      'user ada · category account · priority high · created 2026-01-31T12:00:00.000Z',
      '',
      'CHANNEL  STATUS',
      'email    sent',
      'sms      suppressed',
      '',
      'AT                          SINCE  CHANNEL  STEP        DETAIL',
      '2026-01-31T12:00:00.000Z  +0.000s  *        accepted',
      '2026-01-31T12:00:00.120Z  +0.120s  *        routed',
      '2026-01-31T12:00:00.130Z  +0.130s  sms      suppressed  reason=no_address',
      '2026-01-31T12:00:01.500Z  +1.500s  email    sent        providerMessageId=sg-1',
    ]);
  });

  it('shows a notification that is not routed yet without a channel table', () => {
    const text = formatTimeline({
      id: 'n2',
      status: 'scheduled',
      timeline: [{ status: 'deferred', at: 'x', until: 'later' }],
    });
    expect(text).toBe(
      [
        'notification n2: scheduled',
        '',
        'AT  SINCE  CHANNEL  STEP      DETAIL',
        'x          *        deferred  until=later',
      ].join('\n'),
    );
  });

  it('knows which statuses have ended', () => {
    expect(
      ['sent', 'partially_sent', 'suppressed', 'expired', 'parked', 'undelivered'].every(isSettled),
    ).toBe(true);
    expect(['accepted', 'scheduled', 'in_progress'].some(isSettled)).toBe(false);
  });
});
