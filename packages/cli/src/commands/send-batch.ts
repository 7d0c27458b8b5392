import type { Api } from '../adapters/http';
import type { BatchResult } from '../domain/batch';
import { CliError, TransportError, describeHttpError } from '../domain/errors';

export interface ChunkRetry {
  /** Attempts per chunk, the first included. */
  tries: number;
  sleep: (ms: number) => Promise<void>;
}

/** The wait before attempt `attempt + 1`: Retry-After when the API gave one, else doubling from 1 s, at most 10 s. */
export function retryDelayMs(attempt: number, retryAfter: string | null): number {
  const seconds = Number(retryAfter);
  const ms =
    retryAfter !== null && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 500 * 2 ** attempt;
  return Math.min(10_000, ms);
}

/**
 * Posts one chunk of a file to POST /v1/notifications/batch until it is answered 202, always under
 * the same Idempotency-Key: a retry after 409 (the first request still running), 503 (Kafka took
 * part of it, or none) or no answer at all (refused, reset, timed out; the request may have been
 * handled) is answered from the first request, so nothing is accepted twice (docs/api.md). Any
 * other refusal (401, 403, 400, 422) fails at once; so does the last of `tries` attempts.
 */
export async function sendChunk(
  api: Api,
  chunk: { notifications: unknown[]; key: string; what: string },
  retry: ChunkRetry,
): Promise<BatchResult[]> {
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    let retryAfter: string | null = null;
    try {
      const res = await api.call<{ results: BatchResult[] } | undefined>('POST', '/v1/notifications/batch', {
        what: chunk.what,
        scope: 'send',
        body: { notifications: chunk.notifications },
        headers: { 'idempotency-key': chunk.key },
        accept: [409, 503],
      });
      if (res.status === 202 && res.body) return res.body.results;
      failure = describeHttpError(chunk.what, res.status, res.body, 'send');
      retryAfter = res.headers.get('retry-after');
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      failure = err.message;
    }
    if (attempt >= retry.tries) throw new CliError(`${failure}\ngave up after ${retry.tries} tries`);
    await retry.sleep(retryDelayMs(attempt, retryAfter));
  }
}
