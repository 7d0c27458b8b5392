import { randomUUID } from 'node:crypto';
import { createRedis, readDeliveryValue, redisDeliveryKeys } from '@herald/shared';
import type { Redis } from '@herald/shared';
import { testEnv, waitFor } from '@herald/test-support';

let redis: Redis;
beforeAll(() => {
  redis = createRedis(testEnv.redisUrl);
});
afterAll(async () => {
  await redis.quit();
});

const key = () => `test:delivered:${randomUUID()}`;

describe('delivery keys on real Redis', () => {
  it('lets one dispatcher claim a delivery; another sees it held, then sent', async () => {
    const a = redisDeliveryKeys(redis, { leaseMs: 10_000 });
    const b = redisDeliveryKeys(redis, { leaseMs: 10_000 });
    const k = key();
    const claim = await a.claim(k);
    expect(claim.kind).toBe('claimed');
    expect(await b.claim(k)).toEqual({ kind: 'held' });
    await a.markSent(k, 'sg-1');
    expect(await b.claim(k)).toEqual({ kind: 'sent', providerMessageId: 'sg-1' });
    expect(await redis.ttl(k)).toBeGreaterThan(6 * 24 * 3600);
  });

  it('gives a released claim to the next dispatcher, and never releases a claim that is not its own', async () => {
    const keys = redisDeliveryKeys(redis, { leaseMs: 10_000 });
    const k = key();
    const first = await keys.claim(k);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await keys.release(k, 'someone-else');
    expect(await keys.claim(k)).toEqual({ kind: 'held' });
    await keys.release(k, first.token);
    expect((await keys.claim(k)).kind).toBe('claimed');
  });

  it('frees a claim whose owner died once its lease runs out', async () => {
    const keys = redisDeliveryKeys(redis, { leaseMs: 300 });
    const k = key();
    expect((await keys.claim(k)).kind).toBe('claimed');
    expect((await keys.claim(k)).kind).toBe('held');
    await waitFor('the lease to run out', async () => (await keys.claim(k)).kind === 'claimed', 5000, 50);
  });

  it('reads keys written before claims existed (the bare provider id) as sent', () => {
    expect(readDeliveryValue('sg-legacy')).toEqual({ kind: 'sent', providerMessageId: 'sg-legacy' });
    expect(readDeliveryValue('sent:')).toEqual({ kind: 'sent', providerMessageId: '' });
    expect(readDeliveryValue('claim:abc')).toEqual({ kind: 'held' });
  });
});
