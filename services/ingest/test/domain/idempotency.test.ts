import { IDEMPOTENCY_LEASE_MS, hashRequest, idempotencyOutcome } from '../../src/domain/idempotency';
import type { IdempotencyRecord } from '../../src/domain/idempotency';

const NOW = 1_000_000;
const rec = (state: IdempotencyRecord['state'], at = NOW): IdempotencyRecord => ({
  state,
  requestHash: 'h',
  notificationId: 'n1',
  at,
});

describe('idempotencyOutcome', () => {
  it('replays a finished request with the same body', () => {
    expect(idempotencyOutcome(rec('done'), 'h', NOW)).toEqual({ kind: 'replay', notificationId: 'n1' });
  });

  it('reports a request still within its lease as in progress', () => {
    expect(idempotencyOutcome(rec('pending', NOW - IDEMPOTENCY_LEASE_MS + 1), 'h', NOW)).toEqual({
      kind: 'in_progress',
    });
  });

  it('resumes, under the same id, a request that failed or whose holder died', () => {
    expect(idempotencyOutcome(rec('failed'), 'h', NOW)).toEqual({ kind: 'resume', notificationId: 'n1' });
    expect(idempotencyOutcome(rec('pending', NOW - IDEMPOTENCY_LEASE_MS), 'h', NOW)).toEqual({
      kind: 'resume',
      notificationId: 'n1',
    });
  });

  it('refuses the same key with another body, whatever its state', () => {
    for (const state of ['pending', 'failed', 'done'] as const) {
      expect(idempotencyOutcome(rec(state), 'other', NOW)).toEqual({ kind: 'conflict' });
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
