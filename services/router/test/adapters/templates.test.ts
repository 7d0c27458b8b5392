import type { Pool } from '@herald/shared';
import { pgTemplateStore } from '../../src/adapters/templates';

function fakePool(rows: object[], fail = false) {
  const query = jest.fn(() => (fail ? Promise.reject(new Error('boom')) : Promise.resolve({ rows })));
  return { pool: { query } as unknown as Pool, query };
}

const template = {
  id: 'welcome',
  channel: 'EMAIL',
  locale: 'en',
  version: 1,
  subject: 's',
  title: null,
  body: 'b',
  html: null,
};

describe('pgTemplateStore', () => {
  it('asks Postgres once for records that miss together, then serves from the cache until the TTL', async () => {
    let now = 0;
    const { pool, query } = fakePool([template]);
    const store = pgTemplateStore(pool, 1000, () => now);
    const found = await Promise.all(Array.from({ length: 50 }, () => store.find('welcome', 'EMAIL', 'de')));
    expect(found.every((t) => t === template)).toBe(true);
    expect(query).toHaveBeenCalledTimes(1);
    now = 999;
    await store.find('welcome', 'EMAIL', 'de');
    expect(query).toHaveBeenCalledTimes(1);
    now = 1000;
    await store.find('welcome', 'EMAIL', 'de');
    expect(query).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failed lookup', async () => {
    const failing = fakePool([], true);
    const store = pgTemplateStore(failing.pool, 60_000);
    await expect(store.find('welcome', 'EMAIL', 'en')).rejects.toThrow('boom');
    await expect(store.find('welcome', 'EMAIL', 'en')).rejects.toThrow('boom');
    expect(failing.query).toHaveBeenCalledTimes(2);
  });
});
