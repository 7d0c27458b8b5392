import { FAULT_STATUSES, PROVIDER_ERROR_CODES } from '../provider-errors';
import type { FaultStatus } from '../provider-errors';
import { smtpErrorPhase } from '../provider-errors/smtp';
import { PROVIDERS } from '../store';
import type { SandboxProvider } from '../store';

const MAX_LATENCY_MS = 60_000;

/**
 * How one fake provider misbehaves, for all its requests or only those addressed to `to`.
 * `outage` fails every request, `errorRate` a random share; a failure answers the provider's
 * generic error for `status`, or the catalog error `code`.
 */
export interface FaultSpec {
  provider: SandboxProvider;
  errorRate: number;
  /** 429, 500 or 503: the provider's generic error. Absent when `code` is given (503 if neither is). */
  status?: FaultStatus;
  /** One of the provider's catalog errors (`PROVIDER_ERROR_CODES`), answered instead of a generic one. */
  code?: string;
  latencyMs: number;
  outage: boolean;
  /**
   * Only requests addressed to one of these (email address, E.164 number, FCM token or
   * `/topics/<name>`); for SMTP, decided at the `RCPT TO` of each.
   */
  to?: readonly string[];
  /** Provider-wide only: requests admitted per sliding second; the provider's 429 beyond. */
  rateLimit?: number;
}

export type ParseResult = { ok: true; value: FaultSpec } | { ok: false; problems: string[] };

const FIELDS = new Set(['provider', 'errorRate', 'status', 'code', 'latencyMs', 'outage', 'to', 'rateLimit']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isProvider(value: unknown): value is SandboxProvider {
  return PROVIDERS.includes(value as SandboxProvider);
}

function checkCode(provider: unknown, code: unknown, problems: string[]): void {
  if (typeof code !== 'string') {
    problems.push('code must be a string');
  } else if (isProvider(provider) && !PROVIDER_ERROR_CODES[provider].includes(code)) {
    problems.push(
      `code '${code}' is not a ${provider} error the sandbox knows (known: ${PROVIDER_ERROR_CODES[provider].join(', ')})`,
    );
  }
}

function isSmtpAuthCode(code: unknown): code is string {
  return (
    typeof code === 'string' && PROVIDER_ERROR_CODES.smtp.includes(code) && smtpErrorPhase(code) === 'AUTH'
  );
}

function readRecipients(to: unknown, problems: string[]): string[] {
  if (!Array.isArray(to) || to.length === 0 || !to.every((r) => typeof r === 'string' && r !== '')) {
    problems.push('to must be a non-empty array of non-empty strings (recipients)');
    return [];
  }
  return [...new Set(to as string[])];
}

/** Validates a `POST /api/faults` body, listing every problem at once. */
export function parseFaultSpec(input: unknown): ParseResult {
  if (!isRecord(input)) return { ok: false, problems: ['body must be a JSON object'] };
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) problems.push(`unknown field '${key}'`);
  }
  const { provider, errorRate = 0, latencyMs = 0, outage = false, code, to, rateLimit } = input;
  const status = input.status ?? (code === undefined ? 503 : undefined);
  if (!isProvider(provider)) problems.push(`provider must be one of ${PROVIDERS.join(', ')}`);
  if (typeof errorRate !== 'number' || !(errorRate >= 0 && errorRate <= 1)) {
    problems.push('errorRate must be a number from 0 to 1');
  }
  if (status !== undefined && !FAULT_STATUSES.includes(status as FaultStatus)) {
    problems.push(`status must be one of ${FAULT_STATUSES.join(', ')}`);
  }
  if (code !== undefined) {
    checkCode(provider, code, problems);
    if (input.status !== undefined) problems.push('give either status or code, not both');
    if (errorRate === 0 && outage === false) {
      problems.push('code has no effect unless errorRate is above 0 or outage is true');
    }
    if (provider === 'smtp' && to !== undefined && isSmtpAuthCode(code)) {
      problems.push(
        `code '${code}' answers SMTP AUTH, which names no recipient: it cannot be combined with to`,
      );
    }
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
  const recipients = to === undefined ? undefined : readRecipients(to, problems);
  if (rateLimit !== undefined) {
    if (typeof rateLimit !== 'number' || !Number.isInteger(rateLimit) || rateLimit < 1) {
      problems.push('rateLimit must be an integer of at least 1 (requests per second)');
    }
    if (to !== undefined)
      problems.push('rateLimit applies to a whole provider: it cannot be combined with to');
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      provider: provider as SandboxProvider,
      errorRate: errorRate as number,
      ...(status === undefined ? {} : { status: status as FaultStatus }),
      ...(code === undefined ? {} : { code: code as string }),
      latencyMs: latencyMs as number,
      outage: outage as boolean,
      ...(recipients === undefined ? {} : { to: recipients }),
      ...(rateLimit === undefined ? {} : { rateLimit: rateLimit as number }),
    },
  };
}
