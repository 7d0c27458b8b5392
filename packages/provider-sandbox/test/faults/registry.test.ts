import { FaultRegistry, FaultSpecError } from '../../src/faults';
import type { FaultSpec } from '../../src/faults';

const spec = (overrides: Partial<FaultSpec> = {}): FaultSpec => ({
  provider: 'twilio',
  errorRate: 0,
  latencyMs: 0,
  outage: false,
  ...overrides,
});

describe('FaultRegistry.decide', () => {
  it('does nothing for a provider without faults', () => {
    expect(new FaultRegistry(() => 0).decide('twilio', [])).toEqual({ latencyMs: 0, failure: null });
  });

  it("fails when random() falls below errorRate, with the provider's error for the status", () => {
    const values = [0.29, 0.3, 0.99];
    const registry = new FaultRegistry(() => values.shift() ?? 1);
    registry.set(spec({ errorRate: 0.3, status: 429, latencyMs: 20 }));
    expect([1, 2, 3].map(() => registry.decide('twilio', []).failure)).toEqual([
      { code: '20429', status: 429 },
      null,
      null,
    ]);
    expect(registry.decide('twilio', []).latencyMs).toBe(20);
  });

  it('never fails at errorRate 0 and always fails during an outage', () => {
    const registry = new FaultRegistry(() => 0);
    registry.set(spec({ status: 500 }));
    expect(registry.decide('twilio', []).failure).toBeNull();
    registry.set(spec({ status: 500, outage: true }));
    expect(registry.decide('twilio', []).failure).toEqual({ code: '20500', status: 500 });
    expect(registry.decide('fcm', []).failure).toBeNull();
  });

  it.each([
    ['sendgrid', 'unavailable'],
    ['twilio', '20503'],
    ['fcm', 'UNAVAILABLE'],
  ] as const)('answers %s its own 503 when neither status nor code is given', (provider, code) => {
    const registry = new FaultRegistry();
    registry.set({ provider, errorRate: 0, latencyMs: 0, outage: true });
    expect(registry.decide(provider, []).failure).toEqual({ code, status: 503 });
  });

  it('answers a catalog code with its own status', () => {
    const registry = new FaultRegistry();
    registry.set({ provider: 'fcm', errorRate: 0, latencyMs: 0, outage: true, code: 'SENDER_ID_MISMATCH' });
    expect(registry.decide('fcm', ['tok']).failure).toEqual({ code: 'SENDER_ID_MISMATCH', status: 403 });
  });

  it('refuses an invalid spec with every problem', () => {
    const registry = new FaultRegistry();
    const attempt = () => registry.set(spec({ code: 'UNREGISTERED', status: 503, outage: true }));
    expect(attempt).toThrow(FaultSpecError);
    expect(attempt).toThrow(/is not a twilio error[\s\S]*either status or code/);
    expect(registry.list()).toEqual([]);
  });
});

describe('FaultRegistry targeting', () => {
  const alice = '+15550000001';
  const bob = '+15550000002';

  it('applies a targeted spec only to its recipients, the provider-wide one to the others', () => {
    const registry = new FaultRegistry();
    registry.set(spec({ to: [alice], code: '21610', outage: true, latencyMs: 5 }));
    registry.set(spec({ status: 503, outage: true }));
    expect(registry.decide('twilio', [alice])).toEqual({
      latencyMs: 5,
      failure: { code: '21610', status: 400 },
    });
    expect(registry.decide('twilio', [bob])).toEqual({
      latencyMs: 0,
      failure: { code: '20503', status: 503 },
    });
    expect(registry.decide('twilio', [])).toEqual({ latencyMs: 0, failure: { code: '20503', status: 503 } });
  });

  it('lets the other recipients through when there is only a targeted spec', () => {
    const registry = new FaultRegistry();
    registry.set(spec({ to: [alice], code: '21211', outage: true }));
    expect(registry.decide('twilio', [bob]).failure).toBeNull();
    expect(registry.decide('twilio', [bob, alice]).failure).toEqual({ code: '21211', status: 400 });
  });

  it('uses the first matching targeted spec, and replaces a spec with the same recipient set', () => {
    const registry = new FaultRegistry();
    registry.set(spec({ to: [alice, bob], code: '21612', outage: true }));
    registry.set(spec({ to: [bob], code: '21614', outage: true }));
    expect(registry.decide('twilio', [bob]).failure?.code).toBe('21612');

    registry.set(spec({ to: [bob, alice], code: '21408', outage: true }));
    expect(registry.decide('twilio', [bob]).failure?.code).toBe('21408');
    expect(registry.list().map((s) => s.code)).toEqual(['21408', '21614']);
  });

  it('replaces the provider-wide spec, and lists it first', () => {
    const registry = new FaultRegistry();
    registry.set(spec({ to: [alice], latencyMs: 1 }));
    registry.set(spec({ latencyMs: 2 }));
    registry.set(spec({ latencyMs: 3 }));
    registry.set({ provider: 'sendgrid', errorRate: 0, latencyMs: 4, outage: false });
    expect(registry.list().map((s) => [s.provider, s.latencyMs])).toEqual([
      ['sendgrid', 4],
      ['twilio', 3],
      ['twilio', 1],
    ]);
  });

  it("clears one provider's specs or all", () => {
    const registry = new FaultRegistry();
    registry.set(spec({ to: [alice], outage: true }));
    registry.set(spec({ outage: true }));
    registry.set({ provider: 'fcm', errorRate: 0, latencyMs: 0, outage: true });
    registry.clear('twilio');
    expect(registry.list().map((s) => s.provider)).toEqual(['fcm']);
    registry.clear();
    expect(registry.list()).toEqual([]);
  });
});

describe('FaultRegistry rate limit', () => {
  const clockAt = (start: number) => {
    const clock = { t: start, now: () => clock.t };
    return clock;
  };

  it('answers 429 beyond rateLimit requests admitted in the last 1000 ms', () => {
    const clock = clockAt(10_000);
    const registry = new FaultRegistry(() => 1, clock.now);
    registry.set(spec({ rateLimit: 2 }));
    const decide = () => registry.decide('twilio', ['+15550000001']).failure;

    expect([decide(), decide(), decide()]).toEqual([null, null, { code: '20429', status: 429 }]);
    clock.t = 10_999;
    expect(decide()).toEqual({ code: '20429', status: 429 });
    clock.t = 11_000; // the first two left the window (10_000, 11_000]
    expect([decide(), decide(), decide()]).toEqual([null, null, { code: '20429', status: 429 }]);
  });

  it('slides: a rejected request does not count, each admitted one frees its place 1000 ms later', () => {
    const clock = clockAt(0);
    const registry = new FaultRegistry(() => 1, clock.now);
    registry.set({ provider: 'fcm', errorRate: 0, latencyMs: 0, outage: false, rateLimit: 2 });
    const admitted = (t: number) => {
      clock.t = t;
      return registry.decide('fcm', []).failure === null;
    };
    expect([
      admitted(0),
      admitted(400),
      admitted(500),
      admitted(999),
      admitted(1000),
      admitted(1001),
    ]).toEqual([true, true, false, false, true, false]);
    expect(admitted(1400)).toBe(true);
  });

  it('limits every request of the provider, targeted or not, and applies other faults to those admitted', () => {
    const registry = new FaultRegistry(
      () => 1,
      () => 0,
    );
    registry.set({ provider: 'sendgrid', errorRate: 0, latencyMs: 0, outage: false, rateLimit: 2 });
    registry.set({
      provider: 'sendgrid',
      errorRate: 0,
      latencyMs: 0,
      outage: true,
      code: 'forbidden',
      to: ['a@x.test'],
    });
    expect(registry.decide('sendgrid', ['a@x.test']).failure).toEqual({ code: 'forbidden', status: 403 });
    expect(registry.decide('sendgrid', ['b@x.test']).failure).toBeNull();
    expect(registry.decide('sendgrid', ['a@x.test']).failure).toEqual({ code: 'rate_limited', status: 429 });
  });

  it('starts a new window when the provider-wide spec is replaced, and stops limiting when cleared', () => {
    const registry = new FaultRegistry(
      () => 1,
      () => 0,
    );
    registry.set(spec({ rateLimit: 1 }));
    registry.decide('twilio', []);
    expect(registry.decide('twilio', []).failure?.status).toBe(429);
    registry.set(spec({ rateLimit: 1 }));
    expect(registry.decide('twilio', []).failure).toBeNull();
    registry.clear('twilio');
    expect(registry.decide('twilio', []).failure).toBeNull();
  });
});

describe('FaultRegistry steps (SMTP AUTH, RCPT TO)', () => {
  const smtp = (overrides: Partial<FaultSpec> = {}): FaultSpec => ({
    provider: 'smtp',
    errorRate: 0,
    latencyMs: 0,
    outage: false,
    ...overrides,
  });

  it('finds the provider-wide spec and the targeted one for a recipient, apart', () => {
    const registry = new FaultRegistry();
    expect(registry.wide('smtp')).toBeUndefined();
    registry.set(smtp({ outage: true }));
    registry.set(smtp({ to: ['a@x.test'], code: '550', outage: true }));
    expect(registry.wide('smtp')).toMatchObject({ outage: true, status: 503 });
    expect(registry.targeted('smtp', ['a@x.test'])).toMatchObject({ code: '550' });
    expect(registry.targeted('smtp', ['b@x.test'])).toBeUndefined();
  });

  it('decides by one spec, with its latency, outside the rate limit', () => {
    const registry = new FaultRegistry(
      () => 0.2,
      () => 0,
    );
    registry.set(smtp({ rateLimit: 1 }));
    registry.set(smtp({ to: ['a@x.test'], code: '550', errorRate: 0.5, latencyMs: 7 }));
    expect(registry.decide('smtp', []).failure).toBeNull();
    const targeted = registry.targeted('smtp', ['a@x.test']);
    expect(registry.decideBy(targeted)).toEqual({ latencyMs: 7, failure: { code: '550', status: 550 } });
    expect(registry.decideBy(targeted)).toEqual({ latencyMs: 7, failure: { code: '550', status: 550 } });
    expect(registry.decideBy(undefined)).toEqual({ latencyMs: 0, failure: null });
    expect(registry.decide('smtp', []).failure).toEqual({ code: '452', status: 452 });
  });

  it('answers SMTP generic statuses with reply codes', () => {
    const registry = new FaultRegistry();
    registry.set(smtp({ outage: true }));
    expect(registry.decide('smtp', []).failure).toEqual({ code: '421', status: 421 });
    registry.set(smtp({ outage: true, status: 500 }));
    expect(registry.decide('smtp', []).failure).toEqual({ code: '451', status: 451 });
  });
});
