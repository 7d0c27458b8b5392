/**
 * The error catalog. Every error Herald raises on purpose carries a stable code, whether retrying
 * can help, the HTTP status it maps to at the edge, and for pipeline errors its disposition in a
 * consumer (DESIGN.md §3, processing model):
 * - `wait`: retry the record in place, because something it needs is briefly unavailable;
 * - `retry`: hand it to the retry engine (notify.dlq, transient), the partition moves on;
 * - `park`: hand it on as permanent, retrying cannot help.
 * Classification is total: anything not in the catalog is transient (`unknown`, retried later).
 */
export type Disposition = 'wait' | 'retry' | 'park';

export const ERROR_CODES = {
  // Input
  validation_failed: { retriable: false, httpStatus: 400, disposition: 'park' },
  unauthorized: { retriable: false, httpStatus: 401, disposition: 'park' },
  forbidden: { retriable: false, httpStatus: 403, disposition: 'park' },
  not_found: { retriable: false, httpStatus: 404, disposition: 'park' },
  idempotency_in_progress: { retriable: true, httpStatus: 409, disposition: 'retry' },
  idempotency_key_reused: { retriable: false, httpStatus: 422, disposition: 'park' },
  payload_too_large: { retriable: false, httpStatus: 413, disposition: 'park' },
  unsupported_media_type: { retriable: false, httpStatus: 415, disposition: 'park' },
  /** Refused by node's HTTP parser before routing: bad request line, CR/LF in a header. */
  bad_request: { retriable: false, httpStatus: 400, disposition: 'park' },
  headers_too_large: { retriable: false, httpStatus: 431, disposition: 'park' },
  request_timeout: { retriable: false, httpStatus: 408, disposition: 'park' },
  // Pipeline, permanent: parked at once
  malformed_payload: { retriable: false, httpStatus: undefined, disposition: 'park' },
  invalid_request: { retriable: false, httpStatus: undefined, disposition: 'park' },
  invalid_template: { retriable: false, httpStatus: undefined, disposition: 'park' },
  invalid_address: { retriable: false, httpStatus: undefined, disposition: 'park' },
  /** An SMS body over the configured number of segments: refused before it is billed. */
  message_too_long: { retriable: false, httpStatus: undefined, disposition: 'park' },
  unregistered_token: { retriable: false, httpStatus: undefined, disposition: 'park' },
  provider_rejected: { retriable: false, httpStatus: undefined, disposition: 'park' },
  record_rejected: { retriable: false, httpStatus: 500, disposition: 'park' },
  // Pipeline, transient: retried
  provider_rate_limited: { retriable: true, httpStatus: undefined, disposition: 'retry' },
  /** The provider throttles this one recipient (FCM's per-device limit): retried, never against the provider. */
  recipient_rate_limited: { retriable: true, httpStatus: undefined, disposition: 'retry' },
  provider_unavailable: { retriable: true, httpStatus: undefined, disposition: 'retry' },
  /** Our credentials were refused (rotated key, revoked account): an operator's fix, then a retry. */
  provider_auth_failed: { retriable: true, httpStatus: undefined, disposition: 'retry' },
  dependency_unavailable: { retriable: true, httpStatus: 503, disposition: 'wait' },
  /** Another consumer holds this delivery's claim (mid-send after a rebalance): wait for its outcome. */
  delivery_in_progress: { retriable: true, httpStatus: undefined, disposition: 'wait' },
  unknown: { retriable: true, httpStatus: 500, disposition: 'retry' },
} as const satisfies Record<
  string,
  { retriable: boolean; httpStatus: number | undefined; disposition: Disposition }
>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class HeraldError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly httpStatus: number | undefined;
  readonly disposition: Disposition;
  /** The request field the error is about, for 400s. */
  readonly field: string | undefined;
  /** What the provider said, in its own terms (`twilio:21610`, `sendgrid:http_503`, `fcm:UNREGISTERED`). */
  readonly providerCode: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; field?: string; providerCode?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HeraldError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.httpStatus = ERROR_CODES[code].httpStatus;
    this.disposition = ERROR_CODES[code].disposition;
    this.field = options.field;
    this.providerCode = options.providerCode;
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

/** Codes of a request that got no answer: refused, reset, timed out, no such host, aborted. */
const TRANSPORT_CODES = new Set([
  ...NETWORK_CODES,
  'ECONNABORTED',
  'EAI_AGAIN',
  'ESOCKETTIMEDOUT',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Whether a provider call failed in transport, before any answer: the provider could not be
 * reached, which says something about the provider (or the network to it). Anything else thrown
 * without an answer (a TypeError in our adapter or in the SDK's own code) is a local fault, and must
 * never count against the provider.
 */
export function isTransportFailure(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; name?: unknown; isAxiosError?: unknown; response?: unknown };
  if (typeof e.code === 'string' && TRANSPORT_CODES.has(e.code)) return true;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
  // axios: a request that was sent and got no response.
  return e.isAxiosError === true && e.response === undefined;
}

/**
 * A provider call that got no answer, in words fit for a log and a dead letter (no message text:
 * SDK errors quote the request): `request failed (ECONNREFUSED)`, or for a local fault
 * `failed in Herald before an answer (TypeError)`.
 */
export function describeNoAnswer(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; name?: unknown };
  if (isTransportFailure(err)) return `request failed${typeof e.code === 'string' ? ` (${e.code})` : ''}`;
  return `failed in Herald before an answer (${typeof e.name === 'string' ? e.name : typeof err})`;
}

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

/**
 * Postgres SQLSTATEs that mean "the server cannot serve us right now", not "this query is wrong":
 * connection exceptions (08), insufficient resources (53, e.g. too many connections), operator
 * intervention (57P01-57P05: shutdown, restart, starting up), read-only after a failover (25006),
 * and a transaction rolled back for a serialization failure or a deadlock (40001, 40P01), which
 * succeeds when tried again: none of these may park a record as bad data.
 */
const PG_UNAVAILABLE = /^(08...|53...|57P0[1-5]|25006|40001|40P01)$/;
/** Redis replies of a server that is loading, failing over or read-only. */
const REDIS_UNAVAILABLE = /^(READONLY|LOADING|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;
const CONNECTION_MESSAGES =
  /Connection terminated|Connection is closed|connection error and is not queryable/;

/**
 * Errors about the idempotent producer's state, not the records: kafkajs calls them non-retriable,
 * but the publisher replaces the producer after them, so the same records go out fine on the next.
 */
const PRODUCER_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);

function isProducerStateError(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 3) return false;
  const type = (err as { type?: unknown }).type;
  if (typeof type === 'string' && PRODUCER_STATE.has(type)) return true;
  const nested = (err as { errors?: unknown }).errors;
  return (
    isProducerStateError(err.cause, depth + 1) ||
    (Array.isArray(nested) && nested.some((e) => isProducerStateError(e, depth + 1)))
  );
}

/** Kafka, Postgres or Redis out of reach, or unable to serve for a while. */
function isDependencyFailure(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    isProducerStateError(err) ||
    (err.name.startsWith('KafkaJS') && kafkaRetriable(err)) ||
    err.name === 'MaxRetriesPerRequestError' ||
    (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code))) ||
    (err.name === 'ReplyError' && REDIS_UNAVAILABLE.test(err.message)) ||
    CONNECTION_MESSAGES.test(err.message)
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

/** Permanent errors that say the address itself cannot receive: it is suppressed. */
const ADDRESS_FAULTS: ReadonlySet<ErrorCode> = new Set(['invalid_address', 'unregistered_token']);

export function isAddressFault(err: HeraldError): boolean {
  return ADDRESS_FAULTS.has(err.code);
}

/** Errors a provider answered with: only these may count against the provider (circuit breaker). */
const PROVIDER_FAULTS: ReadonlySet<ErrorCode> = new Set([
  'provider_rate_limited',
  'provider_unavailable',
  'provider_auth_failed',
]);

/**
 * Whether an error says something about the provider. A bug in our adapter (`unknown`), a
 * dependency outage or a refused record does not, and must never open a provider's circuit.
 */
export function isProviderFault(err: unknown): boolean {
  return PROVIDER_FAULTS.has(classifyError(err).code);
}
