import {
  HeraldError,
  LOCALE,
  LOCALE_HINT,
  TEMPLATE_ID,
  TEMPLATE_ID_HINT,
  announceChange,
  apiRoute,
  templateProblem,
  z,
} from '@herald/shared';
import type { Channel, FastifyInstance } from '@herald/shared';
import type { TemplatesRepo } from '../adapters/templates-repo';
import type { ChangeDeps } from './preferences';
import { templateSchema, templateSummarySchema } from './api-schemas';

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

  const common = { tags: ['templates'], access: 'admin' } as const;
  const noTemplate = { 404: 'No template with this id.' };

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/templates',
      operationId: 'listTemplates',
      summary: 'Every template, channel and locale, with its newest version',
      responses: {
        200: {
          description: 'The templates.',
          schema: z.object({ templates: z.array(templateSummarySchema) }),
        },
      },
    },
    async () => ({ templates: await deps.templates.list() }),
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/templates/:id',
      operationId: 'getTemplate',
      summary: 'Every version of a template',
      params: idParams,
      errors: noTemplate,
      responses: {
        200: {
          description: 'Newest first per channel and locale.',
          schema: z.object({ id: z.string(), versions: z.array(templateSchema) }),
        },
      },
    },
    async ({ params: { id } }) => {
      const versions = await deps.templates.versions(id);
      if (versions.length === 0) throw new HeraldError('not_found', `template ${id} not found`);
      return { id, versions };
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'POST',
      url: '/v1/templates/:id/versions',
      operationId: 'publishTemplateVersion',
      summary: 'Publish a new version for a channel and locale',
      description:
        'Checked at save: the parts its channel needs are there, and every part compiles (Handlebars). The router renders the newest version when it routes a message.',
      params: idParams,
      body: versionBody,
      responses: { 201: { description: 'Published.', schema: templateSchema } },
    },
    async ({ params: { id }, body }, _request, reply) => {
      const { channel: lower, locale, ...content } = body;
      const channel = lower.toUpperCase() as Channel;
      const problem = templateProblem(channel, content);
      if (problem) throw new HeraldError('validation_failed', problem.message, { field: problem.field });
      const template = await deps.templates.publish(id, channel, locale, content);
      await changed();
      return reply.code(201).send(template);
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'DELETE',
      url: '/v1/templates/:id',
      operationId: 'deleteTemplate',
      summary: 'Remove a template, every version',
      params: idParams,
      errors: noTemplate,
      responses: { 204: { description: 'Removed.' } },
    },
    async ({ params: { id } }, _request, reply) => {
      if (!(await deps.templates.remove(id))) throw new HeraldError('not_found', `template ${id} not found`);
      await changed();
      return reply.code(204).send();
    },
  );
}
