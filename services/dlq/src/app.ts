import { HeraldError, apiKeyAuth, buildOpsServer, registerErrorHandler } from '@herald/shared';
import type { FastifyInstance, Runtime } from '@herald/shared';
import type { DeadLetterStore } from './adapters/dead-letters';
import type { LetterActions } from './letter-actions';
import type { ReplayJobs } from './replay-jobs';
import { jobView, principalOf, progressUrl, sendOutcome } from './replies';
import { parseBulkReplay, parseDiscard, parseId, parseJobId, parseListQuery, parseNoBody } from './requests';

/** What the routes that look into or act on dead letters use (all but the list). */
export interface AdminServices {
  letters: LetterActions;
  replays: ReplayJobs;
}

/** The dead-letter admin API beside /healthz, /readyz and /metrics. Built, not started. */
export function buildApp(
  rt: Pick<Runtime<{ postgres: true }>, 'registry' | 'readiness' | 'pool' | 'log'>,
  deadLetters: DeadLetterStore,
  admin: AdminServices,
): FastifyInstance {
  const app = buildOpsServer(rt);
  registerErrorHandler(app, rt.log);
  const auth = { onRequest: apiKeyAuth(rt.pool, 'admin') };

  app.get('/v1/dead-letters', auth, async (request) => {
    const q = parseListQuery(request.query);
    const items = await deadLetters.list(q);
    const last = items.at(-1);
    return { deadLetters: items, next: items.length === q.limit && last ? last.id : null };
  });
  const { letters, replays } = admin;

  app.get('/v1/dead-letters/:id', auth, async (request) => {
    const id = parseId(request.params);
    const letter = await letters.get(id);
    if (!letter) throw new HeraldError('not_found', `no dead letter ${id}`);
    return letter;
  });

  app.post('/v1/dead-letters/:id/replay', auth, async (request, reply) => {
    const id = parseId(request.params);
    parseNoBody(request.body);
    return sendOutcome(reply, await letters.replay(id, principalOf(request)));
  });

  app.post('/v1/dead-letters/:id/discard', auth, async (request, reply) => {
    const id = parseId(request.params);
    const reason = parseDiscard(request.body);
    return sendOutcome(reply, await letters.discard(id, principalOf(request), reason));
  });

  app.post('/v1/dead-letters/replay', auth, async (request, reply) => {
    const selection = parseBulkReplay(request.body);
    const job = await replays.start(selection, principalOf(request));
    return reply
      .code(202)
      .header('location', progressUrl(job.id))
      .send({ jobId: job.id, count: job.count, status: job.status, progressUrl: progressUrl(job.id) });
  });

  app.get('/v1/dead-letters/replays/:jobId', auth, async (request) => {
    const jobId = parseJobId(request.params);
    const job = await replays.get(jobId);
    if (!job) throw new HeraldError('not_found', `no replay job ${jobId}`);
    return jobView(job);
  });

  return app;
}
