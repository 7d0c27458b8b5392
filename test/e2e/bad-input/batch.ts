/**
 * Bad requests to POST /v1/notifications/batch that refuse the batch as a whole. A bad item alone is
 * not here: it is answered 202 with the item's error (services/ingest/test/routes).
 */
import { base } from './notifications';
import { bad } from './types';
import type { BadCase, Expected } from './types';

export const BATCH_PATH = '/v1/notifications/batch';
export const batchBase = { notifications: [base] };

const batch = (name: string, body: unknown, expect: Expected, extra: Partial<BadCase> = {}): BadCase => ({
  name: `POST ${BATCH_PATH}: ${name}`,
  target: 'ingest',
  method: 'POST',
  path: BATCH_PATH,
  body,
  expect,
  ...extra,
});
const json = { 'content-type': 'application/json' };

export function batchCases(): BadCase[] {
  return [
    batch('1001 items', { notifications: Array.from({ length: 1001 }, () => base) }, bad('notifications')),
    batch('no items', { notifications: [] }, bad('notifications')),
    batch('no notifications', {}, bad('notifications')),
    batch('notifications null', { notifications: null }, bad('notifications')),
    batch('notifications an object', { notifications: base }, bad('notifications')),
    batch('notifications a string', { notifications: 'all of them' }, bad('notifications')),
    batch('an unknown top-level field', { ...batchBase, dryRun: true }, bad('dryRun')),
    batch('the items as a bare array', [base], bad('body')),
    batch('a single notification instead of a batch', base, bad('notifications')),
    batch('JSON null', 'null', bad('body'), { headers: json }),
    batch('empty body', '', bad('body'), { headers: json }),
    // The body's own rules hold inside items, and refuse the whole body: they are checked as it is parsed.
    batch(
      '__proto__ in an item',
      '{"notifications":[{"userId":"u","__proto__":{"admin":true}}]}',
      bad('notifications.0.__proto__'),
      { headers: json },
    ),
    batch('Idempotency-Key with a space', batchBase, bad('Idempotency-Key'), {
      headers: { ...json, 'idempotency-key': 'two words' },
    }),
  ];
}
