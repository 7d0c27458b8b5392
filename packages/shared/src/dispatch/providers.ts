import { CircuitBreaker } from '../domain/breaker';
import type { BreakerSettings, BreakerState } from '../domain/breaker';
import type { ChannelSender } from '../domain/sender';
import type { HeraldError } from '../errors';
import { isProviderFault } from '../errors';
import type { Logger } from '../logger';
import type { RateLimiter } from './rate-limit';

/** One provider as a dispatcher uses it: its sender, this replica's breaker, the shared rate limit. */
export interface GuardedProvider {
  sender: ChannelSender;
  breaker: CircuitBreaker;
  limiter: RateLimiter | null;
}

/** The provider a send goes to, and whether it is a half-open trial; or, when none may, when to try again. */
export type Choice = { provider: GuardedProvider; trial: boolean; round: number } | { retryAt: number };

/**
 * The primary while its circuit lets a send through, else the secondary (failover, when one is
 * configured) while its circuit does. With every circuit open, the earliest time one may let a send
 * through again.
 */
export function chooseProvider(providers: readonly GuardedProvider[], now: number): Choice {
  let retryAt = Number.POSITIVE_INFINITY;
  for (const provider of providers) {
    const permit = provider.breaker.acquire(now);
    if (permit.allowed) return { provider, trial: permit.trial, round: permit.round };
    retryAt = Math.min(retryAt, permit.retryAt);
  }
  return { retryAt };
}

/** What a send's result says about the provider, for its breaker. */
export function reportToBreaker(
  choice: { provider: GuardedProvider; trial: boolean; round: number },
  now: number,
  err: HeraldError | null,
): void {
  const { breaker } = choice.provider;
  if (err === null) return breaker.success(now, choice.trial, choice.round);
  if (isProviderFault(err)) return breaker.failure(now, choice.trial, choice.round);
  // The provider answered, and refused this message or recipient: it is up.
  if (err.providerCode !== undefined) return breaker.success(now, choice.trial, choice.round);
  // Our own fault (a bug, a payload we could not build): says nothing about the provider.
  breaker.release(choice.trial, choice.round);
}

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** A breaker that logs every change and counts it. */
export function loggedBreaker(
  provider: string,
  settings: BreakerSettings,
  log: Logger,
  onChange: (to: BreakerState) => void = () => undefined,
): CircuitBreaker {
  return new CircuitBreaker(settings, (c) => {
    // Not `to`/`from`: the logger redacts those keys (they name addresses elsewhere).
    const line = { provider, previous: c.from, state: c.to, why: c.why };
    if (c.to === 'open')
      log.warn(line, `circuit open: ${provider} gets no sends for ${settings.cooldownMs} ms`);
    else log.info(line, `circuit ${c.to.replace('_', '-')}: ${provider}`);
    onChange(c.to);
  });
}

/** Each provider's state as the `herald_circuit_state` gauge reports it. */
export function circuitStates(providers: readonly GuardedProvider[]): () => Record<string, number> {
  return () =>
    Object.fromEntries(providers.map((p) => [p.sender.provider, STATE_VALUE[p.breaker.state(Date.now())]]));
}
