import { IDEMPOTENCY_LEASE_MS, hashRequest, idempotencyVerdict } from '../../src/domain/idempotency';
import type { IdempotencyLease } from '../../src/domain/idempotency';

const NOW = 1_000_000;
const rec = (state: IdempotencyLease['state'], at = NOW): IdempotencyLease => ({
  state,
  requestHash: 'h',
  at,
});

describe('idempotencyVerdict', () => {
  it('replays a finished request with the same body', () => {
    expect(idempotencyVerdict(rec('done'), 'h', NOW)).toBe('replay');
  });

  it('reports a request still within its lease as in progress', () => {
    expect(idempotencyVerdict(rec('pending', NOW - IDEMPOTENCY_LEASE_MS + 1), 'h', NOW)).toBe('in_progress');
  });

  it('resumes a request that failed or whose holder died', () => {
    expect(idempotencyVerdict(rec('failed'), 'h', NOW)).toBe('resume');
    expect(idempotencyVerdict(rec('pending', NOW - IDEMPOTENCY_LEASE_MS), 'h', NOW)).toBe('resume');
  });

  it('refuses the same key with another body, whatever its state', () => {
    for (const state of ['pending', 'failed', 'done'] as const) {
      expect(idempotencyVerdict(rec(state), 'other', NOW)).toBe('conflict');
    }
  });
});

describe('hashRequest', () => {
  it('is the same for the same JSON in any key order, and differs otherwise', () => {
    expect(hashRequest({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      hashRequest({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
    expect(hashRequest({ a: 1 })).not.toBe(hashRequest({ a: 2 }));
    expect(hashRequest([1, 2])).not.toBe(hashRequest([2, 1]));
  });
});
