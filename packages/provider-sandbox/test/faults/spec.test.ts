import { parseFaultSpec } from '../../src/faults';

describe('parseFaultSpec', () => {
  it('fills defaults', () => {
    expect(parseFaultSpec({ provider: 'fcm' })).toEqual({
      ok: true,
      value: { provider: 'fcm', errorRate: 0, status: 503, latencyMs: 0, outage: false },
    });
  });

  it('reads a catalog code instead of a status, recipients (deduplicated) and a rate limit', () => {
    expect(
      parseFaultSpec({
        provider: 'twilio',
        code: '21610',
        outage: true,
        to: ['+15551234567', '+15551234567'],
      }),
    ).toEqual({
      ok: true,
      value: {
        provider: 'twilio',
        errorRate: 0,
        code: '21610',
        latencyMs: 0,
        outage: true,
        to: ['+15551234567'],
      },
    });
    expect(parseFaultSpec({ provider: 'sendgrid', rateLimit: 10 })).toEqual({
      ok: true,
      value: { provider: 'sendgrid', errorRate: 0, status: 503, latencyMs: 0, outage: false, rateLimit: 10 },
    });
  });

  it.each([
    [null, 'body must be a JSON object'],
    [[], 'body must be a JSON object'],
    [{}, 'provider must be one of sendgrid, twilio, fcm, smtp'],
    [{ provider: 'fcm', errorRate: -0.1 }, 'errorRate must be a number from 0 to 1'],
    [{ provider: 'fcm', errorRate: '0.5' }, 'errorRate must be a number from 0 to 1'],
    [{ provider: 'fcm', status: 502 }, 'status must be one of 429, 500, 503'],
    [{ provider: 'fcm', latencyMs: 1.5 }, 'latencyMs must be an integer from 0 to 60000'],
    [{ provider: 'fcm', latencyMs: 60_001 }, 'latencyMs must be an integer from 0 to 60000'],
    [{ provider: 'fcm', outage: 1 }, 'outage must be a boolean'],
    [{ provider: 'fcm', rate: 1 }, "unknown field 'rate'"],
    [{ provider: 'fcm', code: 404, outage: true }, 'code must be a string'],
    [
      { provider: 'fcm', code: 'UNAVAILABLE', status: 503, outage: true },
      'give either status or code, not both',
    ],
    [
      { provider: 'fcm', code: 'UNAVAILABLE' },
      'code has no effect unless errorRate is above 0 or outage is true',
    ],
    [{ provider: 'fcm', to: [] }, 'to must be a non-empty array of non-empty strings (recipients)'],
    [{ provider: 'fcm', to: 'tok' }, 'to must be a non-empty array of non-empty strings (recipients)'],
    [{ provider: 'fcm', to: ['tok', ''] }, 'to must be a non-empty array of non-empty strings (recipients)'],
    [{ provider: 'fcm', rateLimit: 0 }, 'rateLimit must be an integer of at least 1 (requests per second)'],
    [{ provider: 'fcm', rateLimit: 2.5 }, 'rateLimit must be an integer of at least 1 (requests per second)'],
    [
      { provider: 'fcm', rateLimit: 5, to: ['tok'] },
      'rateLimit applies to a whole provider: it cannot be combined with to',
    ],
    [
      { provider: 'smtp', code: '535', outage: true, to: ['a@x.test'] },
      "code '535' answers SMTP AUTH, which names no recipient: it cannot be combined with to",
    ],
  ])('refuses %j', (input, problem) => {
    expect(parseFaultSpec(input)).toEqual({ ok: false, problems: [problem] });
  });

  it.each([
    [
      'sendgrid',
      'bounce',
      'invalid_email, bad_request, unauthorized, forbidden, payload_too_large, rate_limited, internal, unavailable',
    ],
    ['twilio', '30001', '21211, 21408, 21610, 21612, 21614, 20003, 20429, 20500, 20503'],
    [
      'fcm',
      'UNREGISTERED_TOKEN',
      'UNREGISTERED, INVALID_ARGUMENT, INVALID_PAYLOAD, SENDER_ID_MISMATCH, QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, THIRD_PARTY_AUTH_ERROR',
    ],
    ['smtp', '554', '421, 451, 452, 535, 550, 552'],
  ])('refuses an unknown %s code, listing the known ones', (provider, code, known) => {
    expect(parseFaultSpec({ provider, code, outage: true })).toEqual({
      ok: false,
      problems: [`code '${code}' is not a ${provider} error the sandbox knows (known: ${known})`],
    });
  });

  it('does not take a code of another provider, nor an inherited property name', () => {
    expect(parseFaultSpec({ provider: 'twilio', code: 'UNREGISTERED', outage: true }).ok).toBe(false);
    expect(parseFaultSpec({ provider: 'twilio', code: 'constructor', outage: true }).ok).toBe(false);
  });

  it('lists every problem at once', () => {
    const result = parseFaultSpec({
      provider: 'twilio',
      errorRate: 2,
      status: 503,
      code: '99999',
      latencyMs: -1,
      outage: 'no',
      to: [1],
      rateLimit: 0,
      colour: 'red',
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        "unknown field 'colour'",
        'errorRate must be a number from 0 to 1',
        expect.stringMatching(
          /^code '99999' is not a twilio error the sandbox knows \(known: 21211, /,
        ) as string,
        'give either status or code, not both',
        'latencyMs must be an integer from 0 to 60000',
        'outage must be a boolean',
        'to must be a non-empty array of non-empty strings (recipients)',
        'rateLimit must be an integer of at least 1 (requests per second)',
        'rateLimit applies to a whole provider: it cannot be combined with to',
      ],
    });
  });
});
