import { classifySendGridError } from '../../src/domain/classify-sendgrid-error';

describe('classifySendGridError', () => {
  it.each([
    [400, ['personalizations.0.to.0.email'], 'invalid_address'],
    [400, ['personalizations.2.to.1.email'], 'invalid_address'],
    [400, ['personalizations.0.to'], 'invalid_address'],
    [400, ['personalizations.0.cc.0.email'], 'invalid_address'],
    [400, ['subject', 'personalizations.0.to.0.email'], 'invalid_address'],
    [400, ['from.email'], 'provider_rejected'],
    [400, ['subject'], 'provider_rejected'],
    [400, [null], 'provider_rejected'],
    [400, [], 'provider_rejected'],
    [401, [null], 'provider_auth_failed'],
    [403, [null], 'provider_auth_failed'],
    [413, [], 'provider_rejected'],
    [404, ['personalizations.0.to.0.email'], 'provider_rejected'],
    [429, [null], 'provider_rate_limited'],
    [408, [], 'provider_unavailable'],
    [500, [null], 'provider_unavailable'],
    [502, [], 'provider_unavailable'],
    [503, [null], 'provider_unavailable'],
  ] as const)('status %s with fields %j → %s', (status, fields, expected) => {
    expect(classifySendGridError({ status, fields, unreachable: false })).toBe(expected);
  });

  it('is unavailable when SendGrid could not be reached, and a local fault (unknown) otherwise', () => {
    expect(classifySendGridError({ status: undefined, fields: [], unreachable: true })).toBe(
      'provider_unavailable',
    );
    expect(classifySendGridError({ status: undefined, fields: [], unreachable: false })).toBe('unknown');
  });
});
