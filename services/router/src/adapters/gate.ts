import { HeraldError } from '@herald/shared';
import type { Redis } from '@herald/shared';
import type { Channel } from '@herald/shared/domain';
import type { CapVerdict } from '../domain/caps';
import type { DedupVerdict, GateAsk } from '../domain/route';

/** One request at the gate: what to ask for it (domain/route.ts `plan`), as of `now`. */
export type GateRequest = GateAsk & { notificationId: string; userId: string; now: number };

export interface GateVerdict {
  dedup: DedupVerdict;
  /** Per channel asked for, unless a duplicate. */
  caps: Map<Channel, CapVerdict>;
}

/** Where the router claims dedup keys and takes frequency-cap counts, atomically per request. */
export interface Gate {
  /** One Redis round trip for a whole fetched batch, verdicts in the order given. */
  pass(requests: readonly GateRequest[]): Promise<GateVerdict[]>;
}

/**
 * KEYS: the dedup key (or a placeholder when none), then every counter key. ARGV[1]: the
 * notification id; ARGV[2]: now (ms); ARGV[3]: the dedup window (ms, 0 for none); ARGV[4]: JSON,
 * per channel the list of [key index, limit, window ms]. Dedup first: a duplicate takes nothing.
 * Then each channel on its own: all of its counters or none (the sliding-window log of
 * domain/caps.ts `admit`, one sorted set per counter, member = notification id, so a notification
 * seen again is not counted twice). Returns [dedup (1 first, 2 again, 0 duplicate), then per
 * channel 0 when taken or the time room comes].
 */
const GATE_SCRIPT = `
local id, now, window = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local verdict = 1
if window > 0 then
  if redis.call('SET', KEYS[1], id, 'NX', 'PX', window) then
    verdict = 1
  elseif redis.call('GET', KEYS[1]) == id then
    verdict = 2
  else
    return {0}
  end
end
local out = {verdict}
for _, counters in ipairs(cjson.decode(ARGV[4])) do
  local freeAt = 0
  for _, c in ipairs(counters) do
    local key, limit, span = KEYS[c[1]], c[2], c[3]
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
    if not redis.call('ZSCORE', key, id) then
      local size = redis.call('ZCARD', key)
      if size >= limit then
        local oldest = redis.call('ZRANGE', key, size - limit, size - limit, 'WITHSCORES')
        freeAt = math.max(freeAt, tonumber(oldest[2]) + span)
      end
    end
  end
  if freeAt == 0 then
    for _, c in ipairs(counters) do
      redis.call('ZADD', KEYS[c[1]], 'NX', now, id)
      redis.call('PEXPIRE', KEYS[c[1]], c[3])
    end
  end
  out[#out + 1] = freeAt
end
return out
`;

const DEDUP: Record<number, DedupVerdict> = { 0: 'duplicate', 1: 'first', 2: 'again' };

/**
 * `keyPrefix` (the deployment's topic prefix) keeps deployments that share a Redis apart: their
 * user ids may be the same. It goes before the key, so the user's hash tag stays in it.
 */
export function redisGate(redis: Redis, keyPrefix = ''): Gate {
  let sha: string | null = null;
  const load = async (): Promise<string> => (sha = (await redis.script('LOAD', GATE_SCRIPT)) as string);

  const run = async (requests: readonly GateRequest[], script: string) => {
    const pipeline = redis.pipeline();
    for (const r of requests) {
      // Without dedup, a key in the user's slot all the same: a script's keys share one cluster slot.
      const keys = [`${keyPrefix}${r.dedup?.key ?? `dedup:{${r.userId}}:none`}`];
      // push returns the new length: the key's index in KEYS, counted from 1 as Lua does.
      const channels = r.channels.map(({ counters }) =>
        counters.map((c) => [keys.push(`${keyPrefix}${c.key}`), c.limit, c.windowMs]),
      );
      pipeline.evalsha(
        script,
        keys.length,
        ...keys,
        r.notificationId,
        String(r.now),
        String(r.dedup?.windowMs ?? 0),
        JSON.stringify(channels),
      );
    }
    return (await pipeline.exec()) ?? [];
  };

  return {
    async pass(requests) {
      if (requests.length === 0) return [];
      let results = await run(requests, sha ?? (await load()));
      // Redis restarted (or flushed its scripts) since the script was loaded: load it again.
      if (results.some(([err]) => err?.message.startsWith('NOSCRIPT')))
        results = await run(requests, await load());
      return requests.map((r, i) => {
        const [err, reply] = results[i] ?? [new Error('no reply from Redis'), null];
        // An outage is the whole batch's: thrown, the engine waits in place and tries again.
        if (err) throw err;
        const [dedup, ...freeAt] = reply as number[];
        const verdict = DEDUP[dedup ?? -1];
        if (!verdict) throw new HeraldError('unknown', `unexpected gate reply ${String(dedup)}`);
        const caps = new Map<Channel, CapVerdict>();
        if (verdict !== 'duplicate') {
          r.channels.forEach(({ channel }, j) => {
            const at = freeAt[j] ?? 0;
            caps.set(channel, at === 0 ? { ok: true } : { ok: false, freeAt: at });
          });
        }
        return { dedup: verdict, caps };
      });
    },
  };
}
