import type { Redis } from 'ioredis';

/** Where tokens come from: asks for `want`, gets `granted` ≤ want, and when short, how long until the next. */
export interface TokenSource {
  take(want: number): Promise<{ granted: number; waitMs: number }>;
}

/**
 * A provider's send rate, shared by every replica of a dispatcher: a token bucket in Redis. The
 * script reads the clock of Redis itself (TIME), so replicas whose clocks disagree still share one
 * bucket correctly.
 *
 * KEYS[1]: the bucket. ARGV: refill per second, capacity, tokens wanted. Returns [granted, ms until
 * the next token when fewer than wanted were granted, else 0].
 */
const TAKE_SCRIPT = `
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(s[1]) or burst
local ts = tonumber(s[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local granted = math.min(want, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
local wait = 0
if granted < want then wait = math.ceil((1 - tokens) * 1000 / rate) end
return {granted, wait}
`;

/**
 * The bucket for a limit of `perSecond` sends in any one-second window, across replicas: a
 * capacity of a tenth of a second's sends (at least 1) and a refill of the rest, less 15 % kept
 * as headroom. A full bucket emptied at the start of a window plus a second of refill then stays
 * under the limit (a bucket of a full second's capacity would let twice the limit through across a
 * window's edge), and the headroom absorbs the jitter between a token's grant and the request's
 * arrival at the provider (event-loop turns, connection reuse), which the provider counts by.
 */
/** The share of the limit left unused, for the jitter between a grant and the provider's count. */
const HEADROOM = 0.15;

export function bucketFor(perSecond: number): { refillPerSecond: number; capacity: number } {
  if (!Number.isFinite(perSecond) || perSecond < 2) {
    throw new Error(`a provider rate limit must be at least 2 per second (got ${String(perSecond)})`);
  }
  const capacity = Math.max(1, Math.floor(perSecond / 10));
  return { refillPerSecond: Math.max(1, perSecond * (1 - HEADROOM) - capacity), capacity };
}

type TakeCommand = (key: string, rate: string, burst: string, want: string) => Promise<[number, number]>;

export function redisTokenSource(redis: Redis, key: string, perSecond: number): TokenSource {
  const { refillPerSecond, capacity } = bucketFor(perSecond);
  // defineCommand sends EVALSHA, and the script itself once Redis says NOSCRIPT (after a restart).
  if (!('heraldTakeTokens' in redis)) {
    redis.defineCommand('heraldTakeTokens', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  }
  const take = (redis as unknown as { heraldTakeTokens: TakeCommand }).heraldTakeTokens.bind(redis);
  return {
    async take(want) {
      const [granted, waitMs] = await take(key, String(refillPerSecond), String(capacity), String(want));
      return { granted, waitMs };
    },
  };
}

export interface RateLimiterOptions {
  /** Asked for at most this many tokens in one round trip. */
  maxPerTake?: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each wait for tokens, with its length: the time sends were held back. */
  onThrottled?: (ms: number) => void;
}

/**
 * Hands out send permits from a TokenSource, one round trip per batch: sends that ask while a
 * round trip is in flight wait for the next, which asks for all of them at once. A send that gets
 * no token waits (the engine's slots stay taken, so consumption pauses); it is never failed. Tokens
 * are taken for waiting sends only, so none sit unused in one replica while another is short.
 * If the source fails (Redis unreachable), every waiting send gets the error.
 */
export class RateLimiter {
  private readonly waiting: { lane: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private pumping = false;
  private readonly maxPerTake: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly source: TokenSource,
    private readonly opts: RateLimiterOptions = {},
  ) {
    this.maxPerTake = opts.maxPerTake ?? 500;
    this.clock = opts.clock ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Resolves when this send may go. Tokens go to the highest lane waiting first (0 = critical), in
   * order of asking within a lane: a throttled backlog of low sends never holds a critical one back.
   */
  acquire(lane = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      // Kept ordered by lane, then by arrival: a new send goes after the last of its lane or higher.
      let at = this.waiting.length;
      while (at > 0 && (this.waiting[at - 1]?.lane ?? 0) > lane) at--;
      this.waiting.splice(at, 0, { lane, resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  /** Sends waiting for a token now. */
  get queued(): number {
    return this.waiting.length;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      // Let the sends of this turn queue up first, so one round trip serves them all.
      await Promise.resolve();
      while (this.waiting.length > 0) {
        let answer: { granted: number; waitMs: number };
        try {
          answer = await this.source.take(Math.min(this.waiting.length, this.maxPerTake));
        } catch (err) {
          for (const w of this.waiting.splice(0)) w.reject(err);
          break;
        }
        for (const w of this.waiting.splice(0, answer.granted)) w.resolve();
        if (this.waiting.length === 0) break;
        const since = this.clock();
        await this.sleep(Math.max(1, answer.waitMs));
        this.opts.onThrottled?.(this.clock() - since);
      }
    } finally {
      this.pumping = false;
    }
  }
}
