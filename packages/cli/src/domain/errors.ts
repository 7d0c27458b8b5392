/**
 * Failures the operator can act on. `exitCode` 2 is a usage problem (a bad flag, a bad file), 1 a
 * failure of the operation (an unreachable service, a refusal, something not found).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, 2);

/**
 * No answer, or no whole answer, from a service (refused, reset, timed out): the request may or
 * may not have been handled, so it is safe to retry only with the same idempotency key.
 */
export class TransportError extends CliError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'TransportError';
  }
}

/** The error body every Herald API answers with (docs/api.md). */
export interface ApiErrorBody {
  code?: string;
  message?: string;
  field?: string;
}

export function errorBodyOf(body: unknown): ApiErrorBody {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message, field } = error as Record<string, unknown>;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof field === 'string' ? { field } : {}),
  };
}

const CREATE_KEY = 'node services/ingest/dist/cli/create-api-key.js <name> [--admin]';

/**
 * What an operator reads for an HTTP refusal: what was asked, what went wrong and, for the
 * statuses that have one, what to do about it (which key, which scope).
 */
export function describeHttpError(
  what: string,
  status: number,
  body: unknown,
  scope: 'send' | 'admin',
): string {
  const err = errorBodyOf(body);
  const detail = err.message ? `: ${err.message}` : '';
  switch (status) {
    case 401:
      return (
        `${what} was refused (401 unauthorized${detail}). Set HERALD_KEY (or --key) to an API key ` +
        `with the ${scope} scope; ./dev up prints one (also in .run/dev-api-key), elsewhere create one ` +
        `with ${CREATE_KEY}.`
      );
    case 403:
      return (
        `${what} was refused (403 forbidden${detail}). This needs an API key with the ${scope} scope` +
        `${scope === 'admin' ? ` (create one with ${CREATE_KEY.replace(' [--admin]', ' --admin')})` : ''}.`
      );
    case 404:
      return `${what}: not found (404${detail}).`;
    case 503:
      return `${what}: Herald cannot reach a dependency (503${detail}); retry shortly.`;
    default: {
      const field = err.field ? ` [${err.field}]` : '';
      return `${what} failed (${status}${err.code ? ` ${err.code}` : ''}${detail}${field}).`;
    }
  }
}
