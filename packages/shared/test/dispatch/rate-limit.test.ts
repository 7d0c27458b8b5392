import { RateLimiter, bucketFor } from '@herald/shared';
import type { TokenSource } from '@herald/shared';

/** A source that grants from a script of answers, recording what was asked. */
function scripted(answers: { granted: number; waitMs: number }[]) {
  const asked: number[] = [];
  const source: TokenSource = {
    take(want) {
      asked.push(want);
      const a = answers.shift() ?? { granted: want, waitMs: 0 };
      return Promise.resolve({ granted: Math.min(a.granted, want), waitMs: a.waitMs });
    },
  };
  return { source, asked };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('RateLimiter', () => {
  it('serves the sends of one turn with one round trip', async () => {
    const { source, asked } = scripted([]);
    const limiter = new RateLimiter(source);
    await Promise.all(Array.from({ length: 40 }, () => limiter.acquire()));
    expect(asked).toEqual([40]);
  });

  it('never asks for more than maxPerTake at once', async () => {
    const { source, asked } = scripted([]);
    const limiter = new RateLimiter(source, { maxPerTake: 16 });
    await Promise.all(Array.from({ length: 40 }, () => limiter.acquire()));
    expect(asked).toEqual([16, 16, 8]);
  });

  it('holds sends back while the bucket is empty, waits as long as told, and counts the time', async () => {
    const { source, asked } = scripted([
      { granted: 2, waitMs: 100 },
      { granted: 0, waitMs: 50 },
      { granted: 3, waitMs: 0 },
    ]);
    let now = 0;
    const slept: number[] = [];
    const throttled: number[] = [];
    const limiter = new RateLimiter(source, {
      clock: () => now,
      sleep: (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
      onThrottled: (ms) => throttled.push(ms),
    });
    const done: number[] = [];
    const all = Array.from({ length: 5 }, (_, i) => limiter.acquire().then(() => done.push(i)));
    await Promise.all(all);
    // In order of asking: the first two at once, the other three after two waits.
    expect(done).toEqual([0, 1, 2, 3, 4]);
    expect(asked).toEqual([5, 3, 3]);
    expect(slept).toEqual([100, 50]);
    expect(throttled).toEqual([100, 50]);
    expect(limiter.queued).toBe(0);
  });

  it('gives tokens to the highest lane first, in order of asking within a lane', async () => {
    const { source } = scripted([
      { granted: 0, waitMs: 10 },
      { granted: 2, waitMs: 10 },
      { granted: 3, waitMs: 0 },
    ]);
    const limiter = new RateLimiter(source, { sleep: () => Promise.resolve() });
    const order: string[] = [];
    const ask = (name: string, lane: number) => limiter.acquire(lane).then(() => order.push(name));
    await Promise.all([
      ask('low-1', 3),
      ask('normal', 2),
      ask('low-2', 3),
      ask('critical', 0),
      ask('high', 1),
    ]);
    expect(order).toEqual(['critical', 'high', 'normal', 'low-1', 'low-2']);
  });

  it('takes new asks into the next round trip while one is in flight', async () => {
    let release: (v: { granted: number; waitMs: number }) => void = () => undefined;
    const asked: number[] = [];
    const source: TokenSource = {
      take: (want) => {
        asked.push(want);
        return asked.length === 1
          ? new Promise((r) => (release = r))
          : Promise.resolve({ granted: want, waitMs: 0 });
      },
    };
    const limiter = new RateLimiter(source);
    const first = limiter.acquire();
    await flush();
    const later = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    release({ granted: 1, waitMs: 0 });
    await Promise.all([first, ...later]);
    expect(asked).toEqual([1, 3]);
  });

  it('fails every waiting send when the source fails, and works again afterwards', async () => {
    let fail = true;
    const source: TokenSource = {
      take: (want) =>
        fail
          ? Promise.reject(new Error('Connection is closed.'))
          : Promise.resolve({ granted: want, waitMs: 0 }),
    };
    const limiter = new RateLimiter(source);
    const results = await Promise.allSettled([limiter.acquire(), limiter.acquire()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(limiter.acquire()).resolves.toBeUndefined();
  });
});

describe('bucketFor', () => {
  it('keeps a full bucket plus a second of refill within the limit, with 15 % to spare', () => {
    expect(bucketFor(100)).toEqual({ refillPerSecond: 75, capacity: 10 });
    expect(bucketFor(20)).toEqual({ refillPerSecond: 15, capacity: 2 });
    expect(bucketFor(5)).toEqual({ refillPerSecond: 3.25, capacity: 1 });
    expect(bucketFor(2)).toEqual({ refillPerSecond: 1, capacity: 1 });
    for (const r of [2, 3, 7, 20, 99, 100, 1000]) {
      const { refillPerSecond, capacity } = bucketFor(r);
      expect(capacity + refillPerSecond).toBeLessThanOrEqual(r);
    }
  });

  it('refuses a limit under 2 per second', () => {
    expect(() => bucketFor(1)).toThrow('a provider rate limit must be at least 2 per second (got 1)');
    expect(() => bucketFor(Number.NaN)).toThrow('at least 2 per second');
  });
});
