import { FaultRegistry, parseFaultSpec } from '../src/faults';

describe('parseFaultSpec', () => {
  it('fills defaults', () => {
    expect(parseFaultSpec({ provider: 'fcm' })).toEqual({
      ok: true,
      value: { provider: 'fcm', errorRate: 0, status: 503, latencyMs: 0, outage: false },
    });
  });

  it.each([
    [null, 'body must be a JSON object'],
    [[], 'body must be a JSON object'],
    [{}, 'provider must be one of sendgrid, twilio, fcm'],
    [{ provider: 'fcm', errorRate: -0.1 }, 'errorRate must be a number from 0 to 1'],
    [{ provider: 'fcm', errorRate: '0.5' }, 'errorRate must be a number from 0 to 1'],
    [{ provider: 'fcm', status: 502 }, 'status must be one of 429, 500, 503'],
    [{ provider: 'fcm', latencyMs: 1.5 }, 'latencyMs must be an integer from 0 to 60000'],
    [{ provider: 'fcm', latencyMs: 60_001 }, 'latencyMs must be an integer from 0 to 60000'],
    [{ provider: 'fcm', outage: 1 }, 'outage must be a boolean'],
    [{ provider: 'fcm', rate: 1 }, "unknown field 'rate'"],
  ])('refuses %j', (input, problem) => {
    expect(parseFaultSpec(input)).toEqual({ ok: false, problems: [problem] });
  });
});

describe('FaultRegistry.decide', () => {
  const spec = {
    provider: 'twilio' as const,
    errorRate: 0.3,
    status: 429 as const,
    latencyMs: 20,
    outage: false,
  };

  it('does nothing for a provider without faults', () => {
    expect(new FaultRegistry(() => 0).decide('twilio')).toEqual({ latencyMs: 0, failStatus: null });
  });

  it('fails when random() falls below errorRate', () => {
    const values = [0.29, 0.3, 0.99];
    const registry = new FaultRegistry(() => values.shift() ?? 1);
    registry.set(spec);
    expect([1, 2, 3].map(() => registry.decide('twilio').failStatus)).toEqual([429, null, null]);
    expect(registry.decide('twilio').latencyMs).toBe(20);
  });

  it('never fails at errorRate 0 and always fails during an outage', () => {
    const registry = new FaultRegistry(() => 0);
    registry.set({ ...spec, errorRate: 0 });
    expect(registry.decide('twilio').failStatus).toBeNull();
    registry.set({ ...spec, errorRate: 0, outage: true });
    expect(registry.decide('twilio').failStatus).toBe(429);
    expect(registry.decide('fcm').failStatus).toBeNull();
  });
});
