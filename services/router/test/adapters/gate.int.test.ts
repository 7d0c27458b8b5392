import { randomUUID } from 'node:crypto';
import { classifyError, createRedis } from '@herald/shared';
import type { Redis } from '@herald/shared';
import { testEnv } from '@herald/test-support';
import { redisGate } from '../../src/adapters/gate';
import type { GateRequest } from '../../src/adapters/gate';
import type { CapCounter } from '../../src/domain/caps';

let redis: Redis;
beforeAll(() => {
  redis = createRedis(testEnv.redisUrl);
});
afterAll(async () => {
  await redis.quit();
});

const HOUR = 3_600_000;
/** Keys of their own per test: the user's part of every key. */
const user = () => `gate-${randomUUID()}`;
const smsCap = (u: string, limit = 3): CapCounter => ({
  key: `cap:{${u}}:SMS:${HOUR}`,
  limit,
  windowMs: HOUR,
});
const request = (id: string, now: number, over: Partial<GateRequest> = {}): GateRequest => ({
  notificationId: id,
  userId: 'gate-test',
  now,
  dedup: null,
  channels: [],
  ...over,
});

describe('the gate on real Redis', () => {
  it('claims a dedup key once: the same notification passes again, another is a duplicate, until the window ends', async () => {
    const gate = redisGate(redis);
    const dedup = { key: `dedup:{${user()}}:k`, windowMs: 300 };
    const now = Date.now();
    const [a, again, other] = await gate.pass([
      request('n1', now, { dedup }),
      request('n1', now, { dedup }),
      request('n2', now, { dedup }),
    ]);
    expect([a?.dedup, again?.dedup, other?.dedup]).toEqual(['first', 'again', 'duplicate']);
    await new Promise((r) => setTimeout(r, 400));
    expect((await gate.pass([request('n2', Date.now(), { dedup })]))[0]?.dedup).toBe('first');
  });

  it('takes caps per channel up to the limit, refuses past it with when room comes, and counts a notification once', async () => {
    const gate = redisGate(redis);
    const u = user();
    const t0 = Date.now();
    const sms = (id: string, at: number) =>
      request(id, at, { channels: [{ channel: 'SMS', counters: [smsCap(u)] }] });
    const verdicts = await gate.pass([
      sms('n1', t0),
      sms('n2', t0 + 1),
      sms('n2', t0 + 2),
      sms('n3', t0 + 3),
      sms('n4', t0 + 4),
    ]);
    expect(verdicts.map((v) => v.caps.get('SMS'))).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: false, freeAt: t0 + HOUR },
    ]);
    expect(await redis.zcard(smsCap(u).key)).toBe(3);
    expect(await redis.pttl(smsCap(u).key)).toBeGreaterThan(HOUR - 60_000);
  });

  it('holds the sliding window to the edges of the domain model: full until the oldest leaves, room at that very millisecond', async () => {
    const gate = redisGate(redis);
    const u = user();
    const t0 = Date.now();
    const sms = (id: string, at: number) =>
      request(id, at, { channels: [{ channel: 'SMS', counters: [smsCap(u)] }] });
    await gate.pass([sms('n1', t0), sms('n2', t0 + 600_000), sms('n3', t0 + 1_200_000)]);
    const caps = async (id: string, at: number) => (await gate.pass([sms(id, at)]))[0]?.caps.get('SMS');
    expect(await caps('n4', t0 + HOUR - 1)).toEqual({ ok: false, freeAt: t0 + HOUR });
    expect(await caps('n4', t0 + HOUR)).toEqual({ ok: true });
    expect(await caps('n5', t0 + HOUR + 1)).toEqual({ ok: false, freeAt: t0 + 600_000 + HOUR });
  });

  it('takes nothing for a duplicate, and checks each channel on its own', async () => {
    const gate = redisGate(redis);
    const u = user();
    const dedup = { key: `dedup:{${u}}:k`, windowMs: 60_000 };
    const full = smsCap(u, 1);
    const email: CapCounter = { key: `cap:{${u}}:EMAIL:${HOUR}`, limit: 5, windowMs: HOUR };
    const now = Date.now();
    await gate.pass([request('first', now, { channels: [{ channel: 'SMS', counters: [full] }] })]);
    const [dup, both] = await gate.pass([
      request('x', now, { dedup: { ...dedup, key: `dedup:{${u}}:other` } }),
      request('y', now, {
        dedup,
        channels: [
          { channel: 'SMS', counters: [full] },
          { channel: 'EMAIL', counters: [email] },
        ],
      }),
    ]);
    expect(dup?.dedup).toBe('first');
    expect(both?.caps.get('SMS')).toEqual({ ok: false, freeAt: now + HOUR });
    expect(both?.caps.get('EMAIL')).toEqual({ ok: true });
    const [duplicate] = await gate.pass([
      request('z', now, { dedup, channels: [{ channel: 'EMAIL', counters: [email] }] }),
    ]);
    expect(duplicate).toEqual({ dedup: 'duplicate', caps: new Map() });
    expect(await redis.zcard(email.key)).toBe(1);
  });

  it('holds the cap when many gates race for it at once', async () => {
    const u = user();
    const clients = Array.from({ length: 4 }, () => createRedis(testEnv.redisUrl));
    const gates = clients.map((c) => redisGate(c));
    const now = Date.now();
    const verdicts = (
      await Promise.all(
        gates.map((g, gi) =>
          g.pass(
            Array.from({ length: 10 }, (_, i) =>
              request(`g${gi}-${i}`, now, { channels: [{ channel: 'SMS', counters: [smsCap(u, 7)] }] }),
            ),
          ),
        ),
      )
    ).flat();
    await Promise.all(clients.map((c) => c.quit()));
    expect(verdicts.filter((v) => v.caps.get('SMS')?.ok)).toHaveLength(7);
    expect(await redis.zcard(smsCap(u, 7).key)).toBe(7);
  });

  it('fails as a dependency outage when Redis cannot be reached, so the batch waits in place instead of deciding blindly', async () => {
    const unreachable = createRedis('redis://127.0.0.1:1');
    unreachable.on('error', () => undefined);
    try {
      const err = await redisGate(unreachable)
        .pass([request('n1', Date.now(), { dedup: { key: `dedup:{${user()}}:k`, windowMs: 60_000 } })])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(classifyError(err)).toEqual(
        expect.objectContaining({ code: 'dependency_unavailable', disposition: 'wait' }),
      );
    } finally {
      unreachable.disconnect();
    }
  });

  it('loads its script again after Redis forgot it', async () => {
    const gate = redisGate(redis);
    const u = user();
    await gate.pass([request('a', Date.now(), { dedup: { key: `dedup:{${u}}:k`, windowMs: 60_000 } })]);
    await redis.script('FLUSH');
    const [v] = await gate.pass([
      request('b', Date.now(), { dedup: { key: `dedup:{${u}}:k`, windowMs: 60_000 } }),
    ]);
    expect(v?.dedup).toBe('duplicate');
  });
});
