import { describeHttpError } from '../../src/domain/errors';
import { plainThrottle, progressLine } from '../../src/domain/progress';

describe('describeHttpError', () => {
  it('says which key and scope a 401 or 403 needs', () => {
    const forbidden = { error: { code: 'forbidden', message: 'this API key lacks the admin scope' } };
    expect(describeHttpError('listing dead letters', 403, forbidden, 'admin')).toBe(
      'listing dead letters was refused (403 forbidden: this API key lacks the admin scope). This needs an API key ' +
        'with the admin scope (create one with node services/ingest/dist/cli/create-api-key.js <name> --admin).',
    );
    expect(describeHttpError('sending the notification', 401, {}, 'send')).toMatch(
      /^sending the notification was refused \(401 unauthorized\)\. Set HERALD_KEY \(or --key\) to an API key with the send scope/,
    );
  });

  it('names 404s, 503s and other refusals with the API code and field', () => {
    expect(
      describeHttpError(
        'reading notification x',
        404,
        { error: { code: 'not_found', message: 'no such notification' } },
        'send',
      ),
    ).toBe('reading notification x: not found (404: no such notification).');
    expect(describeHttpError('sending', 503, {}, 'send')).toMatch(
      /cannot reach a dependency \(503\); retry shortly/,
    );
    expect(
      describeHttpError(
        'sending',
        400,
        { error: { code: 'validation_failed', message: 'userId: required', field: 'userId' } },
        'send',
      ),
    ).toBe('sending failed (400 validation_failed: userId: required [userId]).');
    expect(describeHttpError('sending', 502, '<html>bad gateway</html>', 'send')).toBe(
      'sending failed (502).',
    );
  });
});

describe('plain progress', () => {
  it('prints a line at most every interval, never twice for one count, and always at the end', () => {
    const due = plainThrottle(2000);
    expect(due(100, 1000, 0)).toBe(true);
    expect(due(200, 1000, 1000)).toBe(false);
    expect(due(300, 1000, 2100)).toBe(true);
    expect(due(300, 1000, 9000)).toBe(false);
    expect(due(1000, 1000, 9100)).toBe(true);
    expect(progressLine('sending', 1000, 1500, 2345)).toBe('sending: 1000/1500 (66%) after 2.3s');
  });
});
