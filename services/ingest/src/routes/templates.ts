import {
  HeraldError,
  LOCALE,
  LOCALE_HINT,
  TEMPLATE_ID,
  TEMPLATE_ID_HINT,
  announceChange,
  parseInput,
  templateProblem,
  z,
} from '@herald/shared';
import type { Channel, FastifyInstance } from '@herald/shared';
import type { TemplatesRepo } from '../adapters/templates-repo';
import type { ChangeDeps } from './preferences';

const PART = 100_000;
const part = z.string().min(1).max(PART).nullable().default(null);

const versionBody = z.strictObject({
  channel: z.enum(['email', 'sms', 'push']),
  locale: z.string().regex(LOCALE, LOCALE_HINT).default('en'),
  subject: part,
  title: part,
  body: part,
  html: part,
  data: z
    .record(z.string().min(1).max(100), z.string().max(4096))
    .nullable()
    .default(null)
    .refine((d) => d === null || Object.keys(d).length <= 50, 'at most 50 entries'),
  strict: z.boolean().default(true),
  /** Email only: this template's sender and reply-to instead of the dispatcher's default sender. */
  fromEmail: z.email().max(320).nullable().default(null),
  fromName: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\r\n]+$/, 'must be one line')
    .nullable()
    .default(null),
  replyTo: z.email().max(320).nullable().default(null),
});

const idParams = z.object({ id: z.string().regex(TEMPLATE_ID, TEMPLATE_ID_HINT) });

/**
 * Templates (admin scope): each publish is a new version for its channel and locale, validated
 * at save (the parts its channel needs, every part compiles); the router renders the newest. A
 * message is rendered when routed, so publishing never changes one already routed.
 */
export function templateRoutes(
  app: FastifyInstance,
  deps: { templates: TemplatesRepo; changes: ChangeDeps },
): void {
  const changed = () =>
    announceChange(deps.changes.redis, deps.changes.topicPrefix, { kind: 'catalog' }, deps.changes.log);

  app.get('/v1/templates', async () => ({ templates: await deps.templates.list() }));

  app.get('/v1/templates/:id', async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const versions = await deps.templates.versions(id);
    if (versions.length === 0) throw new HeraldError('not_found', `template ${id} not found`);
    return { id, versions };
  });

  app.post('/v1/templates/:id/versions', async (request, reply) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const { channel: lower, locale, ...content } = parseInput(versionBody, request.body);
    const channel = lower.toUpperCase() as Channel;
    const problem = templateProblem(channel, content);
    if (problem) throw new HeraldError('validation_failed', problem.message, { field: problem.field });
    const template = await deps.templates.publish(id, channel, locale, content);
    await changed();
    return reply.code(201).send(template);
  });

  app.delete('/v1/templates/:id', async (request, reply) => {
    const { id } = parseInput(idParams, request.params, 'params');
    if (!(await deps.templates.remove(id))) throw new HeraldError('not_found', `template ${id} not found`);
    await changed();
    return reply.code(204).send();
  });
}
