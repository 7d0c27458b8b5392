/**
 * A circuit breaker for one provider, as a pure state machine: the clock is passed in, nothing
 * waits. It counts only what the provider answered (or failed to answer): a local fault is neither
 * a success nor a failure.
 *
 * - closed: every send goes. `failureThreshold` consecutive provider failures open it. Consecutive
 *   rather than a ratio over a window: at Herald's send rates a window fills in well under a second,
 *   and a streak is what an outage looks like, while a ratio would trip on a burst of bad numbers
 *   that a healthy provider rightly refuses (those count as successes: the provider answered).
 * - open: nothing goes until `cooldownMs` has passed since it opened.
 * - half_open: up to `halfOpenTrials` sends at once are let through as trials; `successThreshold`
 *   successes close it, any failure opens it again for another cool-down.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerSettings {
  failureThreshold: number;
  cooldownMs: number;
  halfOpenTrials: number;
  successThreshold: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {
  failureThreshold: 5,
  cooldownMs: 10_000,
  halfOpenTrials: 3,
  successThreshold: 3,
};

/**
 * May this send go? A trial is a send in half-open: report its result with `trial: true` and the
 * permit's `round`, so a trial of an earlier half-open round that answers late counts for nothing.
 */
export type Permit = { allowed: true; trial: boolean; round: number } | { allowed: false; retryAt: number };

export interface BreakerChange {
  from: BreakerState;
  to: BreakerState;
  at: number;
  /** Why, in a few words for the log line. */
  why: string;
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialsInFlight = 0;
  private trialSuccesses = 0;
  /** Counts half-open rounds: a trial's result counts only in its own round. */
  private round = 0;

  constructor(
    readonly settings: BreakerSettings,
    private readonly onChange: (change: BreakerChange) => void = () => undefined,
  ) {
    for (const [name, v] of Object.entries(settings)) {
      const min = name === 'cooldownMs' ? 0 : 1;
      if (!Number.isInteger(v) || v < min) {
        throw new Error(`CircuitBreaker: ${name} must be an integer of at least ${min} (got ${String(v)})`);
      }
    }
  }

  /** The state as of `now` (an open circuit whose cool-down is over reads half_open). */
  state(now: number): BreakerState {
    if (this.current === 'open' && now >= this.openedAt + this.settings.cooldownMs) {
      this.move('half_open', now, 'cool-down over');
    }
    return this.current;
  }

  acquire(now: number): Permit {
    const state = this.state(now);
    if (state === 'closed') return { allowed: true, trial: false, round: this.round };
    if (state === 'half_open' && this.trialsInFlight < this.settings.halfOpenTrials) {
      this.trialsInFlight++;
      return { allowed: true, trial: true, round: this.round };
    }
    // Open, or every trial slot taken: come back when the cool-down ends (or a trial may be free).
    return { allowed: false, retryAt: Math.max(now, this.openedAt + this.settings.cooldownMs) };
  }

  /** The provider accepted the send, or answered it properly (a refused recipient counts here too). */
  success(now: number, trial: boolean, round = this.round): void {
    if (trial && round !== this.round) return;
    if (trial) this.trialsInFlight = Math.max(0, this.trialsInFlight - 1);
    if (this.current === 'closed') {
      this.failures = 0;
    } else if (this.current === 'half_open' && trial) {
      this.trialSuccesses++;
      if (this.trialSuccesses >= this.settings.successThreshold) {
        this.move('closed', now, `${this.trialSuccesses} trial sends succeeded`);
      }
    }
    // A send that went out before the circuit opened and succeeds now changes nothing: the
    // cool-down runs its course.
  }

  /** The provider failed the send: unreachable, timed out, 5xx, throttled us. */
  failure(now: number, trial: boolean, round = this.round): void {
    if (trial && round !== this.round) return;
    if (trial) this.trialsInFlight = Math.max(0, this.trialsInFlight - 1);
    if (this.current === 'closed') {
      this.failures++;
      if (this.failures >= this.settings.failureThreshold) {
        this.open(now, `${this.failures} consecutive provider failures`);
      }
    } else if (this.current === 'half_open' && trial) {
      this.open(now, 'a trial send failed');
    }
  }

  /** A send that ended without a verdict on the provider (a fault of ours): frees its trial slot. */
  release(trial: boolean, round = this.round): void {
    if (trial && round === this.round) this.trialsInFlight = Math.max(0, this.trialsInFlight - 1);
  }

  private open(now: number, why: string): void {
    this.openedAt = now;
    this.move('open', now, why);
  }

  private move(to: BreakerState, at: number, why: string): void {
    const from = this.current;
    this.current = to;
    this.failures = 0;
    this.trialSuccesses = 0;
    this.trialsInFlight = 0;
    if (to === 'half_open') this.round++;
    if (from !== to) this.onChange({ from, to, at, why });
  }
}
