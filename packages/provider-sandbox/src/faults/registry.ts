import { GENERIC_ERROR_CODES, providerErrorStatus } from '../provider-errors';
import { PROVIDERS } from '../store';
import type { SandboxProvider } from '../store';
import { RateWindow } from './rate-window';
import { parseFaultSpec } from './spec';
import type { FaultSpec } from './spec';

/**
 * The error a faulty request is answered with: a code from its provider's catalog, and its HTTP
 * status (SMTP: its reply code).
 */
export interface InjectedFailure {
  code: string;
  status: number;
}

/** What to do with one request: wait, then either fail with `failure` or carry on. */
export interface FaultDecision {
  latencyMs: number;
  failure: InjectedFailure | null;
}

export class FaultSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid fault spec: ${problems.join('; ')}`);
    this.name = 'FaultSpecError';
  }
}

interface ProviderFaults {
  wide: FaultSpec | undefined;
  limiter: RateWindow | undefined;
  /** First match wins, in the order they were first set. */
  targeted: FaultSpec[];
}

function sameRecipients(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((r) => set.has(r));
}

/**
 * The faults currently injected: per provider, at most one provider-wide spec (which alone may
 * carry a rate limit) and any number of specs targeting recipients. `random` and `now` (epoch ms)
 * are injectable for deterministic tests.
 */
export class FaultRegistry {
  private readonly faults = new Map<SandboxProvider, ProviderFaults>();

  constructor(
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds a spec, replacing the one with the same provider and recipients; throws FaultSpecError if invalid. */
  set(input: FaultSpec): FaultSpec {
    const parsed = parseFaultSpec(input);
    if (!parsed.ok) throw new FaultSpecError(parsed.problems);
    const spec = parsed.value;
    const faults = this.faults.get(spec.provider) ?? { wide: undefined, limiter: undefined, targeted: [] };
    this.faults.set(spec.provider, faults);
    if (spec.to === undefined) {
      faults.wide = spec;
      faults.limiter = spec.rateLimit === undefined ? undefined : new RateWindow(spec.rateLimit);
      return spec;
    }
    const index = faults.targeted.findIndex((s) => sameRecipients(s.to, spec.to));
    if (index === -1) faults.targeted.push(spec);
    else faults.targeted[index] = spec;
    return spec;
  }

  /** Every spec: per provider, the provider-wide one first. */
  list(): FaultSpec[] {
    return PROVIDERS.flatMap((p) => {
      const faults = this.faults.get(p);
      return faults ? [...(faults.wide ? [faults.wide] : []), ...faults.targeted] : [];
    });
  }

  /** Clears one provider's specs, or every provider's. */
  clear(provider?: SandboxProvider): void {
    if (provider === undefined) this.faults.clear();
    else this.faults.delete(provider);
  }

  /** The provider-wide spec, if there is one. */
  wide(provider: SandboxProvider): FaultSpec | undefined {
    return this.faults.get(provider)?.wide;
  }

  /** The first targeted spec naming one of `recipients`, if there is one. */
  targeted(provider: SandboxProvider, recipients: readonly string[]): FaultSpec | undefined {
    return this.faults.get(provider)?.targeted.find((s) => s.to?.some((r) => recipients.includes(r)));
  }

  /**
   * Decides one request to `provider` addressed to `recipients`: the provider-wide rate limit
   * first (counting the requests it admits), then the first targeted spec naming one of the
   * recipients, else the provider-wide spec.
   */
  decide(provider: SandboxProvider, recipients: readonly string[]): FaultDecision {
    const faults = this.faults.get(provider);
    if (!faults) return { latencyMs: 0, failure: null };
    const spec = this.targeted(provider, recipients) ?? faults.wide;
    if (faults.limiter && !faults.limiter.tryAdmit(this.now())) {
      return {
        latencyMs: spec?.latencyMs ?? 0,
        failure: this.failure(provider, GENERIC_ERROR_CODES[provider][429]),
      };
    }
    return this.decideBy(spec);
  }

  /**
   * Decides by `spec` alone, outside the rate limit: for a step of an SMTP session that is not a
   * message of its own (AUTH, RCPT TO). No spec, no fault.
   */
  decideBy(spec: FaultSpec | undefined): FaultDecision {
    if (!spec) return { latencyMs: 0, failure: null };
    const { latencyMs } = spec;
    const fails = spec.outage || (spec.errorRate > 0 && this.random() < spec.errorRate);
    if (!fails) return { latencyMs, failure: null };
    return {
      latencyMs,
      failure: this.failure(
        spec.provider,
        spec.code ?? GENERIC_ERROR_CODES[spec.provider][spec.status ?? 503],
      ),
    };
  }

  private failure(provider: SandboxProvider, code: string): InjectedFailure {
    const status = providerErrorStatus(provider, code);
    // set() validated the code against the catalog.
    if (status === undefined) throw new Error(`no ${provider} error ${code} in the sandbox catalog`);
    return { code, status };
  }
}
