import { classifyTwilioError } from '../../src/domain/classify-twilio-error';

describe('classifyTwilioError', () => {
  it.each([
    [400, 21211, 'invalid_address'],
    [400, 21614, 'invalid_address'],
    [400, 21610, 'invalid_address'],
    [400, 21612, 'provider_rejected'],
    [400, 21217, 'invalid_address'],
    [400, 21401, 'invalid_address'],
    [400, 21407, 'invalid_address'],
    [400, 21602, 'provider_rejected'],
    [400, 21603, 'provider_rejected'],
    [400, 21606, 'provider_rejected'],
    [400, 21408, 'provider_rejected'],
    [400, undefined, 'provider_rejected'],
    [401, 20003, 'provider_auth_failed'],
    [403, undefined, 'provider_auth_failed'],
    [404, 20404, 'provider_rejected'],
    [429, 20429, 'provider_rate_limited'],
    [429, undefined, 'provider_rate_limited'],
    [400, 14107, 'provider_rate_limited'],
    [408, undefined, 'provider_unavailable'],
    [500, 20500, 'provider_unavailable'],
    [503, 20503, 'provider_unavailable'],
  ] as const)('status %s, code %s → %s', (status, code, expected) => {
    expect(classifyTwilioError({ status, code, unreachable: false })).toBe(expected);
  });

  it('is unavailable when Twilio could not be reached, and a local fault (unknown) otherwise', () => {
    expect(classifyTwilioError({ status: undefined, code: undefined, unreachable: true })).toBe(
      'provider_unavailable',
    );
    expect(classifyTwilioError({ status: undefined, code: undefined, unreachable: false })).toBe('unknown');
  });
});
