import { idempotencyOutcome } from '../../src/domain/idempotency';

describe('idempotencyOutcome', () => {
  it('replays a finished request with the same body', () => {
    expect(idempotencyOutcome({ state: 'done', requestHash: 'h', notificationId: 'n1' }, 'h')).toEqual({
      kind: 'replay',
      notificationId: 'n1',
    });
  });
  it('reports a request still in progress', () => {
    expect(idempotencyOutcome({ state: 'pending', requestHash: 'h', notificationId: 'n1' }, 'h')).toEqual({
      kind: 'in_progress',
    });
  });
  it('refuses the same key with another body, finished or not', () => {
    expect(idempotencyOutcome({ state: 'done', requestHash: 'h', notificationId: 'n1' }, 'other')).toEqual({
      kind: 'conflict',
    });
    expect(idempotencyOutcome({ state: 'pending', requestHash: 'h', notificationId: 'n1' }, 'other')).toEqual(
      { kind: 'conflict' },
    );
  });
});
