import { dirname } from 'node:path';
import {
  HeraldError,
  apiKeyAuth,
  apiRoute,
  buildOpsServer,
  collectApiRoutes,
  registerApiDocs,
  registerErrorHandler,
  registerRequestMetrics,
} from '@herald/shared';
import type { FastifyInstance, Runtime } from '@herald/shared';
import type { DeadLetterStore } from './adapters/dead-letters';
import type { LetterActions } from './letter-actions';
import type { ReplayJobs } from './replay-jobs';
import { jobView, principalOf, progressUrl, sendOutcome } from './replies';
import {
  bulkBody,
  bulkSelection,
  discardBody,
  idParams,
  jobIdParams,
  listFilter,
  listQuery,
  noBody,
} from './requests';
import {
  DLQ_API_INFO,
  actionResultSchema,
  deadLetterListSchema,
  deadLetterSchema,
  replayJobSchema,
  replayStartedSchema,
} from './api-schemas';

/** What the routes that look into or act on dead letters use (all but the list). */
export interface AdminServices {
  letters: LetterActions;
  replays: ReplayJobs;
}

const tags = ['dead-letters'];
const conflict = {
  409: 'The letter is not parked any more (`not_parked`: replayed or discarded already), or cannot be replayed (`not_replayable`: its payload was not stored or its target is not a topic a replay may go to).',
  404: 'No dead letter with this id.',
  503: 'Kafka did not take the replay: the letter is still parked. Retry after Retry-After.',
};

/**
 * The dead-letter admin API beside /healthz, /readyz and /metrics, with its OpenAPI document at
 * /openapi.json and its docs page at /docs. Built, not started.
 */
export function buildApp(
  rt: Pick<Runtime<{ postgres: true }>, 'registry' | 'readiness' | 'pool' | 'log'>,
  deadLetters: DeadLetterStore,
  admin: AdminServices,
): FastifyInstance {
  const app = buildOpsServer(rt);
  registerErrorHandler(app, rt.log);
  registerRequestMetrics(app, rt.registry);
  const routes = collectApiRoutes(app);
  const auth = { onRequest: apiKeyAuth(rt.pool, 'admin') };
  const { letters, replays } = admin;

  const list = {
    method: 'GET',
    url: '/v1/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'List dead letters, newest first',
    tags,
    access: 'admin',
    query: listQuery,
    responses: { 200: { description: 'One page of letters.', schema: deadLetterListSchema } },
  } as const;
  apiRoute(
    app,
    list,
    async ({ query }) => {
      const q = listFilter(query);
      const items = await deadLetters.list(q);
      const last = items.at(-1);
      return { deadLetters: items, next: items.length === q.limit && last ? last.id : null };
    },
    auth,
  );

  const get = {
    method: 'GET',
    url: '/v1/dead-letters/:id',
    operationId: 'getDeadLetter',
    summary: 'One dead letter, its payload decoded and its failure history',
    tags,
    access: 'admin',
    params: idParams,
    errors: { 404: 'No dead letter with this id.' },
    responses: { 200: { description: 'The letter.', schema: deadLetterSchema } },
  } as const;
  apiRoute(
    app,
    get,
    async ({ params: { id } }) => {
      const letter = await letters.get(id);
      if (!letter) throw new HeraldError('not_found', `no dead letter ${id}`);
      return letter;
    },
    auth,
  );

  const replay = {
    method: 'POST',
    url: '/v1/dead-letters/:id/replay',
    operationId: 'replayDeadLetter',
    summary: 'Produce a parked letter again to its target topic',
    description: 'It goes out without its failure headers, so the retry engine counts its attempts afresh.',
    tags,
    access: 'admin',
    params: idParams,
    body: noBody,
    optionalBody: 'absent',
    errors: conflict,
    responses: { 200: { description: 'Replayed.', schema: actionResultSchema } },
  } as const;
  apiRoute(
    app,
    replay,
    async ({ params: { id } }, request, reply) =>
      sendOutcome(reply, await letters.replay(id, principalOf(request))),
    auth,
  );

  const discard = {
    method: 'POST',
    url: '/v1/dead-letters/:id/discard',
    operationId: 'discardDeadLetter',
    summary: 'Give up on a parked letter, saying why',
    tags,
    access: 'admin',
    params: idParams,
    body: discardBody,
    errors: { 404: conflict[404], 409: 'The letter is not parked any more (`not_parked`).' },
    responses: { 200: { description: 'Discarded.', schema: actionResultSchema } },
  } as const;
  apiRoute(
    app,
    discard,
    async ({ params: { id }, body }, request, reply) =>
      sendOutcome(reply, await letters.discard(id, principalOf(request), body.reason)),
    auth,
  );

  const bulk = {
    method: 'POST',
    url: '/v1/dead-letters/replay',
    operationId: 'startReplayJob',
    summary: 'Replay many parked letters: by ids, or every one a filter matches',
    description:
      'Send exactly one of `ids` and `filter`. The job runs in the background; follow it at its `progressUrl`.',
    tags: ['replays'],
    access: 'admin',
    body: bulkBody,
    responses: {
      202: {
        description: 'The job started.',
        schema: replayStartedSchema,
        headers: {
          Location: { description: 'The job’s progress URL.', schema: replayStartedSchema.shape.progressUrl },
        },
      },
    },
  } as const;
  apiRoute(
    app,
    bulk,
    async ({ body }, request, reply) => {
      const job = await replays.start(bulkSelection(body), principalOf(request));
      return reply
        .code(202)
        .header('location', progressUrl(job.id))
        .send({ jobId: job.id, count: job.count, status: job.status, progressUrl: progressUrl(job.id) });
    },
    auth,
  );

  const job = {
    method: 'GET',
    url: '/v1/dead-letters/replays/:jobId',
    operationId: 'getReplayJob',
    summary: 'A bulk replay’s progress',
    tags: ['replays'],
    access: 'admin',
    params: jobIdParams,
    errors: { 404: 'No replay job with this id.' },
    responses: { 200: { description: 'The job.', schema: replayJobSchema } },
  } as const;
  apiRoute(
    app,
    job,
    async ({ params: { jobId } }) => {
      const found = await replays.get(jobId);
      if (!found) throw new HeraldError('not_found', `no replay job ${jobId}`);
      return jobView(found);
    },
    auth,
  );

  registerApiDocs(app, routes, DLQ_API_INFO, {
    swaggerUiDir: dirname(require.resolve('swagger-ui-dist/package.json')),
  });
  return app;
}
