import { classifySmtpError } from '../../src/domain/classify-smtp-error';

const f = (responseCode: number | undefined, code?: string, command?: string) =>
  classifySmtpError({ responseCode, code, command });

describe('classifySmtpError', () => {
  it.each([
    [550, 'RCPT TO', 'invalid_address'],
    [551, 'RCPT TO', 'invalid_address'],
    [553, 'RCPT TO', 'invalid_address'],
    [550, 'DATA', 'provider_rejected'],
    [554, 'DATA', 'provider_rejected'],
    [552, 'DATA', 'provider_rejected'],
    [535, 'AUTH PLAIN', 'provider_auth_failed'],
    [530, 'MAIL FROM', 'provider_auth_failed'],
    [421, undefined, 'provider_unavailable'],
    [450, 'RCPT TO', 'provider_unavailable'],
    [451, 'DATA', 'provider_unavailable'],
    [452, 'RCPT TO', 'provider_rate_limited'],
    [454, 'STARTTLS', 'provider_unavailable'],
  ] as const)('answers %d at %s with %s', (reply, command, expected) => {
    expect(f(reply, 'EENVELOPE', command)).toBe(expected);
  });

  it('reads a failure without a reply by nodemailer code: the network is the provider, the rest is ours', () => {
    expect(f(undefined, 'ECONNECTION')).toBe('provider_unavailable');
    expect(f(undefined, 'ETIMEDOUT')).toBe('provider_unavailable');
    expect(f(undefined, 'ESOCKET')).toBe('provider_unavailable');
    expect(f(undefined, 'EAUTH')).toBe('provider_auth_failed');
    expect(f(undefined, 'EMESSAGE')).toBe('unknown');
    expect(f(undefined, undefined)).toBe('unknown');
  });
});
