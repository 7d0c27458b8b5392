import { HeraldError } from '@herald/shared';
import type { ErrorBody, FastifyReply, FastifyRequest } from '@herald/shared';
import type { DeadLetterSummary, StoredDeadLetter } from './adapters/dead-letters';
import type { ReplayJob } from './adapters/replay-jobs';
import type { ActionOutcome, Principal } from './letter-actions';

/** The API key the auth hook found (it runs on every route that asks for one). */
export function principalOf(request: FastifyRequest): Principal {
  const p = request.principal;
  if (!p) throw new HeraldError('unauthorized', 'missing API key: send Authorization: Bearer <api key>');
  return { keyId: p.keyId, name: p.name };
}

const summaryOf = (l: StoredDeadLetter): DeadLetterSummary => ({
  id: l.id,
  status: l.status,
  sourceTopic: l.sourceTopic,
  targetTopic: l.targetTopic,
  notificationId: l.notificationId,
  channel: l.channel,
  reason: l.reason,
  errorClass: l.errorClass,
  attempts: l.attempts,
  firstError: l.firstError,
  lastError: l.lastError,
  firstFailedAt: l.firstFailedAt,
  parkedAt: l.parkedAt,
  payloadBytes: l.payloadBytes,
});

const STATUS: Record<Exclude<ActionOutcome['kind'], 'done'>, number> = {
  not_found: 404,
  not_parked: 409,
  not_replayable: 409,
  unavailable: 503,
};

/**
 * An action's answer: the letter with its audit, or an error body. Conflicts and a produce that
 * failed are answered here rather than thrown: the shared error handler would hide the message of
 * a 503, which here says what happened to the letter (it is still parked).
 */
export function sendOutcome(reply: FastifyReply, outcome: ActionOutcome): FastifyReply {
  if (outcome.kind === 'done') {
    const l = outcome.letter;
    return reply.send({
      ...summaryOf(l),
      replayCount: l.replayCount,
      replayedAt: l.replayedAt,
      replayedBy: l.replayedBy,
      discardedAt: l.discardedAt,
      discardedBy: l.discardedBy,
      discardReason: l.discardReason,
    });
  }
  const status = STATUS[outcome.kind];
  const code = outcome.kind === 'unavailable' ? 'dependency_unavailable' : outcome.kind;
  if (status === 503) void reply.header('retry-after', '1');
  const body: ErrorBody = { error: { code, message: outcome.message } };
  return reply.code(status).send(body);
}

export const jobView = (job: ReplayJob) => ({
  jobId: job.id,
  status: job.status,
  count: job.count,
  replayed: job.replayed,
  skipped: job.skipped,
  failed: job.failed,
  ids: job.ids,
  filter: job.filter,
  createdBy: job.createdBy.name,
  createdAt: job.createdAt,
  finishedAt: job.finishedAt,
  lastError: job.lastError,
  progressUrl: progressUrl(job.id),
});

export const progressUrl = (jobId: string) => `/v1/dead-letters/replays/${jobId}`;
