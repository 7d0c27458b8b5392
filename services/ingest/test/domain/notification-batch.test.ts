import {
  MAX_BATCH_ITEMS,
  batchAnswer,
  batchInputSchema,
  itemError,
  keepIds,
} from '../../src/domain/notification-batch';
import type { BatchItemResult } from '../../src/domain/notification-batch';
import { notificationInputSchema } from '../../src/domain/notification-input';

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ userId: `u-${i}` }));

function firstIssue(body: unknown): { path: string; code: string } | undefined {
  const r = batchInputSchema.safeParse(body);
  const issue = r.success ? undefined : r.error.issues[0];
  return issue && { path: issue.path.join('.'), code: issue.code };
}

describe('batchInputSchema', () => {
  it('takes 1 to 1000 items of anything: items are validated one by one', () => {
    expect(batchInputSchema.safeParse({ notifications: items(1) }).success).toBe(true);
    expect(batchInputSchema.safeParse({ notifications: items(MAX_BATCH_ITEMS) }).success).toBe(true);
    expect(batchInputSchema.safeParse({ notifications: [null, 'x', { colour: 1 }] }).success).toBe(true);
  });

  it.each([
    ['no items', { notifications: [] }, 'notifications', 'too_small'],
    ['1001 items', { notifications: items(MAX_BATCH_ITEMS + 1) }, 'notifications', 'too_big'],
    ['no notifications', {}, 'notifications', 'invalid_type'],
    ['notifications an object', { notifications: { userId: 'u' } }, 'notifications', 'invalid_type'],
    ['an unknown top-level field', { notifications: items(1), dryRun: true }, '', 'unrecognized_keys'],
    ['a bare array', items(2), '', 'invalid_type'],
  ])('refuses %s', (_name, body, path, code) => {
    expect(firstIssue(body)).toEqual({ path, code });
  });
});

describe('an item carrying its own idempotencyKey', () => {
  it('is refused as an unknown field: keys cover the batch as a whole', () => {
    const r = notificationInputSchema.safeParse({ userId: 'u', idempotencyKey: 'k-1' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toEqual(
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['idempotencyKey'] }),
    );
  });
});

describe('itemError', () => {
  it('roots the field at the item, in the message too', () => {
    expect(itemError(3, { code: 'validation_failed', message: 'userId: required', field: 'userId' })).toEqual(
      {
        code: 'validation_failed',
        message: 'notifications[3].userId: required',
        field: 'notifications[3].userId',
      },
    );
    expect(
      itemError(0, { code: 'validation_failed', message: 'channels.0: Invalid option', field: 'channels.0' }),
    ).toEqual(expect.objectContaining({ field: 'notifications[0].channels.0' }));
  });

  it('names the item itself when the error is about all of it', () => {
    const whole = itemError(2, {
      code: 'validation_failed',
      message: 'notifications[2]: expected object, received string',
      field: 'notifications[2]',
    });
    expect(whole).toEqual({
      code: 'validation_failed',
      message: 'notifications[2]: expected object, received string',
      field: 'notifications[2]',
    });
    expect(itemError(1, { code: 'validation_failed', message: 'bad', field: undefined })).toEqual({
      code: 'validation_failed',
      message: 'notifications[1]: bad',
      field: 'notifications[1]',
    });
  });

  it('keeps a message that does not start with the field whole', () => {
    expect(itemError(4, { code: 'validation_failed', message: 'odd', field: 'to.email' }).message).toBe(
      'notifications[4].to.email: odd',
    );
  });
});

const accepted = (index: number, id: string): BatchItemResult => ({ index, id, status: 'accepted' });
const rejected = (index: number): BatchItemResult => ({
  index,
  status: 'rejected',
  error: { code: 'validation_failed', message: 'm', field: `notifications[${index}]` },
});

describe('batchAnswer', () => {
  it('counts accepted and rejected items, results in order', () => {
    const results = [accepted(0, 'a'), rejected(1), accepted(2, 'c')];
    expect(batchAnswer(results)).toEqual({ results, accepted: 2, rejected: 1 });
    expect(batchAnswer([rejected(0)])).toEqual({ results: [rejected(0)], accepted: 0, rejected: 1 });
  });
});

describe('keepIds', () => {
  it('gives items accepted both times the earlier id, and leaves the others alone', () => {
    const previous = [accepted(0, 'old-0'), accepted(1, 'old-1'), rejected(2)];
    const now = [accepted(0, 'new-0'), rejected(1), rejected(2)];
    expect(keepIds(now, previous)).toEqual([accepted(0, 'old-0'), rejected(1), rejected(2)]);
  });

  it('keeps a new id where the earlier attempt had none', () => {
    expect(keepIds([accepted(0, 'new-0')], [])).toEqual([accepted(0, 'new-0')]);
  });
});
