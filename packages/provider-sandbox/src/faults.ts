import { PROVIDERS, type SandboxProvider } from './store';

export const FAULT_STATUSES = [429, 500, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

const MAX_LATENCY_MS = 60_000;

/** How one fake provider misbehaves. `outage` fails every request; `errorRate` a random share. */
export interface FaultSpec {
  provider: SandboxProvider;
  errorRate: number;
  status: FaultStatus;
  latencyMs: number;
  outage: boolean;
}

export type ParseResult = { ok: true; value: FaultSpec } | { ok: false; problems: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a `POST /api/faults` body, listing every problem at once. */
export function parseFaultSpec(input: unknown): ParseResult {
  if (!isRecord(input)) return { ok: false, problems: ['body must be a JSON object'] };
  const problems: string[] = [];
  const known = new Set(['provider', 'errorRate', 'status', 'latencyMs', 'outage']);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) problems.push(`unknown field '${key}'`);
  }
  const { provider, errorRate = 0, status = 503, latencyMs = 0, outage = false } = input;
  if (!PROVIDERS.includes(provider as SandboxProvider)) {
    problems.push(`provider must be one of ${PROVIDERS.join(', ')}`);
  }
  if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) {
    problems.push('errorRate must be a number from 0 to 1');
  }
  if (!FAULT_STATUSES.includes(status as FaultStatus)) {
    problems.push(`status must be one of ${FAULT_STATUSES.join(', ')}`);
  }
  if (
    typeof latencyMs !== 'number' ||
    !Number.isInteger(latencyMs) ||
    latencyMs < 0 ||
    latencyMs > MAX_LATENCY_MS
  ) {
    problems.push(`latencyMs must be an integer from 0 to ${MAX_LATENCY_MS}`);
  }
  if (typeof outage !== 'boolean') problems.push('outage must be a boolean');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      provider: provider as SandboxProvider,
      errorRate: errorRate as number,
      status: status as FaultStatus,
      latencyMs: latencyMs as number,
      outage: outage as boolean,
    },
  };
}

/** What to do with one request: wait, then either fail with `failStatus` or carry on. */
export interface FaultDecision {
  latencyMs: number;
  failStatus: FaultStatus | null;
}

/** The faults currently injected, one spec per provider. `random` is injectable for deterministic tests. */
export class FaultRegistry {
  private readonly specs = new Map<SandboxProvider, FaultSpec>();

  constructor(private readonly random: () => number = Math.random) {}

  set(spec: FaultSpec): void {
    this.specs.set(spec.provider, spec);
  }

  list(): FaultSpec[] {
    return PROVIDERS.flatMap((p) => this.specs.get(p) ?? []);
  }

  clear(): void {
    this.specs.clear();
  }

  decide(provider: SandboxProvider): FaultDecision {
    const spec = this.specs.get(provider);
    if (!spec) return { latencyMs: 0, failStatus: null };
    const fails = spec.outage || (spec.errorRate > 0 && this.random() < spec.errorRate);
    return { latencyMs: spec.latencyMs, failStatus: fails ? spec.status : null };
  }
}
