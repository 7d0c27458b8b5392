import { HeraldError, classifyError, parseInput, z } from '@herald/shared';
import type { FastifyRequest, Logger } from '@herald/shared';
import { idempotencyVerdict } from '../domain/idempotency';
import type { IdempotencyLease } from '../domain/idempotency';
import type { IdempotencyStore } from '../adapters/idempotency-store';

const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII only');

/** The header as the routes that honour it document it: read with the schema idempotencyKeyOf uses. */
export const idempotencyKeyHeader = {
  'Idempotency-Key': {
    description:
      'Makes a retry safe: the same key with the same body answers what the first request answered (for IDEMPOTENCY_TTL_SECONDS, 24 h by default), with Idempotent-Replayed: true. Scoped to the API key.',
    schema: idempotencyKeySchema,
  },
};

/** The request's Idempotency-Key scoped to its API key, or null when it sent none (400 if malformed). */
export function idempotencyKeyOf(request: FastifyRequest): string | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = parseInput(idempotencyKeySchema, raw, 'Idempotency-Key');
  return `${request.principal?.keyId ?? 'anon'}:${key}`;
}

export interface IdempotencyDeps {
  idempotency: IdempotencyStore;
  clock: () => number;
  log: Logger;
}

/** One request under an Idempotency-Key: what it stores and how it does its work. */
export interface IdempotentWork<R extends IdempotencyLease> {
  key: string;
  /** The record a first attempt holds (state `pending`). */
  fresh: R;
  /** The record a retry holds when it takes over an attempt that failed or died, from that attempt's. */
  resume(previous: R): R;
  /** Does the work the record describes; throwing marks the key failed so a retry resumes it. */
  run(mine: R): Promise<void>;
  /** Fields for log lines about the request this record describes. */
  logFields(mine: R): Record<string, unknown>;
}

const inProgress = () =>
  new HeraldError('idempotency_in_progress', 'a request with this Idempotency-Key is still being processed');

/** Claims the key: the record this request now holds, or the finished one to replay. */
async function claim<R extends IdempotencyLease>(
  deps: IdempotencyDeps,
  work: IdempotentWork<R>,
): Promise<{ mine: R } | { replay: R }> {
  const existing = await deps.idempotency.claim(work.key, work.fresh);
  if (!existing) return { mine: work.fresh };
  switch (idempotencyVerdict(existing, work.fresh.requestHash, deps.clock())) {
    case 'replay':
      return { replay: existing };
    case 'in_progress':
      throw inProgress();
    case 'conflict':
      throw new HeraldError(
        'idempotency_key_reused',
        'this Idempotency-Key was used with a different request body',
      );
    case 'resume': {
      const mine: R = { ...work.resume(existing), state: 'pending', at: deps.clock() };
      // Two retries racing for the same failed request: one resumes, the other is told to wait.
      if (!(await deps.idempotency.replace(work.key, existing, mine))) throw inProgress();
      return { mine };
    }
  }
}

/**
 * Runs `work` once per Idempotency-Key: the same request again gets the stored record back
 * (`replayed`), another request under the key 422, one still running 409.
 */
export async function runIdempotent<R extends IdempotencyLease>(
  deps: IdempotencyDeps,
  work: IdempotentWork<R>,
): Promise<{ record: R; replayed: boolean }> {
  const claimed = await claim(deps, work);
  if ('replay' in claimed) return { record: claimed.replay, replayed: true };
  const { mine } = claimed;
  const warn = (message: string) => (e: unknown) =>
    deps.log.warn({ ...work.logFields(mine), err: classifyError(e).message }, message);
  try {
    await work.run(mine);
  } catch (err) {
    const failed: R = { ...mine, state: 'failed', at: deps.clock() };
    await deps.idempotency
      .replace(work.key, mine, failed)
      .catch(warn('could not mark the idempotency key failed'));
    throw err;
  }
  const done: R = { ...mine, state: 'done', at: deps.clock() };
  // Accepted is accepted: a lost `done` only makes a retry resume (same ids) instead of replay.
  await deps.idempotency.save(work.key, done).catch(warn('could not record the idempotency key'));
  return { record: done, replayed: false };
}
