import {
  bulkReplayBody,
  formatJob,
  formatLetter,
  formatLetters,
  jobDone,
  listQuery,
} from '../../src/domain/dead-letters';

describe('dead-letter requests', () => {
  it('builds the list query from the flags', () => {
    expect(listQuery({})).toBe('');
    expect(
      listQuery({
        channel: 'SMS',
        reason: 'provider_unavailable',
        status: 'Replayed',
        limit: '200',
        before: '41',
        since: '2026-01-31T00:00:00Z',
      }),
    ).toBe(
      '?channel=sms&reason=provider_unavailable&since=2026-01-31T00%3A00%3A00Z&status=replayed&limit=200&before=41',
    );
    expect(listQuery({ notification: 'n1' })).toBe('?notificationId=n1');
  });

  it.each([
    [{ channel: 'fax' }, /--channel must be one of email, sms, push/],
    [{ status: 'lost' }, /--status must be one of parked, replayed, discarded/],
    [{ limit: '501' }, /--limit must be a whole number from 1 to 500/],
    [{ since: 'yesterday' }, /--since must be an ISO 8601 date-time/],
  ])('refuses %j', (flags, message) => {
    expect(() => listQuery(flags)).toThrow(message);
  });

  it('asks a bulk replay for the filters, or for everything parked with none', () => {
    expect(bulkReplayBody({ channel: 'email', reason: 'invalid_address' })).toEqual({
      filter: { channel: 'email', reason: 'invalid_address' },
    });
    expect(bulkReplayBody({})).toEqual({ filter: { since: '1970-01-01T00:00:00Z' } });
  });
});

describe('dead-letter output', () => {
  it('lists letters as a table', () => {
    const text = formatLetters([
      {
        id: '41',
        status: 'parked',
        channel: 'EMAIL',
        reason: 'invalid_address',
        attempts: 1,
        notificationId: 'n1',
        parkedAt: '2026-01-31T12:00:00.000Z',
        lastError: 'invalid_address: sendgrid:http_400',
        targetTopic: 'notify.channel.email.high',
      },
    ]);
    expect(text.split('\n')).toEqual([
      'ID  PARKED AT                 STATUS  CHANNEL  REASON           ATTEMPTS  NOTIFICATION  LAST ERROR',
      '41  2026-01-31T12:00:00.000Z  parked  email    invalid_address         1  n1            invalid_address: sendgrid:http_400',
    ]);
    expect(formatLetters([])).toBe('no dead letters match');
  });

  it('shows one letter with its nested parts as JSON', () => {
    expect(
      formatLetter({
        id: '41',
        reason: 'invalid_address',
        replayedAt: null,
        headers: { attempt: '1' },
      }).split('\n'),
    ).toEqual([
      'id:         41',
      'reason:     invalid_address',
      'replayedAt: -',
      '',
      'headers:',
      '{',
      '  "attempt": "1"',
      '}',
    ]);
  });

  it('counts a job done by replayed, skipped and failed letters', () => {
    const job = {
      jobId: 'j',
      status: 'done' as const,
      count: 5,
      replayed: 3,
      skipped: 1,
      failed: 1,
      lastError: null,
    };
    expect(jobDone(job)).toBe(5);
    expect(formatJob(job)).toBe('replay job j done: 3 replayed, 1 skipped, 1 failed of 5');
  });
});
