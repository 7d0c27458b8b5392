/**
 * The error catalog. Every error Herald raises on purpose carries a stable code, whether retrying
 * can help, and the HTTP status it maps to at the edge. Classification is total: anything not in
 * the catalog is treated as transient.
 */
export const ERROR_CODES = {
  // Input
  validation_failed: { retriable: false, httpStatus: 400 },
  unauthorized: { retriable: false, httpStatus: 401 },
  forbidden: { retriable: false, httpStatus: 403 },
  not_found: { retriable: false, httpStatus: 404 },
  idempotency_in_progress: { retriable: true, httpStatus: 409 },
  idempotency_key_reused: { retriable: false, httpStatus: 422 },
  payload_too_large: { retriable: false, httpStatus: 413 },
  // Pipeline, permanent: parked at once
  malformed_payload: { retriable: false, httpStatus: undefined },
  invalid_request: { retriable: false, httpStatus: undefined },
  invalid_template: { retriable: false, httpStatus: undefined },
  invalid_address: { retriable: false, httpStatus: undefined },
  unregistered_token: { retriable: false, httpStatus: undefined },
  provider_rejected: { retriable: false, httpStatus: undefined },
  record_rejected: { retriable: false, httpStatus: 500 },
  // Pipeline, transient: retried
  provider_rate_limited: { retriable: true, httpStatus: undefined },
  provider_unavailable: { retriable: true, httpStatus: undefined },
  /** Our credentials were refused (rotated key, revoked account): an operator's fix, then a retry. */
  provider_auth_failed: { retriable: true, httpStatus: undefined },
  dependency_unavailable: { retriable: true, httpStatus: 503 },
  unknown: { retriable: true, httpStatus: 500 },
} as const satisfies Record<string, { retriable: boolean; httpStatus: number | undefined }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class HeraldError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly httpStatus: number | undefined;
  /** The request field the error is about, for 400s. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; field?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HeraldError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.httpStatus = ERROR_CODES[code].httpStatus;
    this.field = options.field;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

interface KafkaJSLike extends Error {
  retriable?: boolean;
  cause?: unknown;
}

/** kafkajs says itself whether an error is worth retrying; running out of retries keeps the cause's verdict. */
function kafkaRetriable(err: KafkaJSLike): boolean {
  if (err.name === 'KafkaJSNumberOfRetriesExceeded' && err.cause instanceof Error) {
    return kafkaRetriable(err.cause);
  }
  return err.retriable !== false;
}

/** Kafka, Postgres or Redis out of reach: kafkajs errors, socket errors, pg connection errors (08xxx). */
function isDependencyFailure(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    (err.name.startsWith('KafkaJS') && kafkaRetriable(err)) ||
    err.name === 'MaxRetriesPerRequestError' ||
    (typeof code === 'string' && (NETWORK_CODES.has(code) || /^08...$/.test(code))) ||
    /Connection terminated|Connection is closed/.test(err.message)
  );
}

/**
 * Total classification: a HeraldError keeps its code, an unreachable dependency is
 * `dependency_unavailable`, anything else is `unknown`; both are transient.
 */
export function classifyError(err: unknown): HeraldError {
  if (err instanceof HeraldError) return err;
  if (err instanceof Error && isDependencyFailure(err)) {
    return new HeraldError('dependency_unavailable', err.message, { cause: err });
  }
  if (err instanceof Error && err.name.startsWith('KafkaJS')) {
    // e.g. MESSAGE_TOO_LARGE: the broker will refuse this record every time.
    return new HeraldError('record_rejected', err.message, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new HeraldError('unknown', message, { cause: err });
}

export function isRetriable(err: unknown): boolean {
  return classifyError(err).retriable;
}
