import { randomUUID } from 'node:crypto';
import {
  HeraldError,
  announceChange,
  apiRoute,
  categorySettingsSchema,
  routingRuleSchema,
  z,
} from '@herald/shared';
import type { FastifyInstance } from '@herald/shared';
import { categoryIdSchema } from '@herald/shared/domain';
import { timeZoneSchema } from '../domain/time-zone';
import type { PolicyRepo } from '../adapters/policy-repo';
import type { ChangeDeps } from './preferences';
import { categorySchema, routingRuleAnswerSchema } from './api-schemas';

const RULE_ID = /^[A-Za-z0-9._-]{1,100}$/;
const ruleIdSchema = z.string().regex(RULE_ID, 'expected 1-100 characters of A-Z a-z 0-9 . _ -');

/** A rule's time window must name a zone the router knows. */
function knownZone(rule: { match: { window?: { timezone: string } } }, ctx: z.RefinementCtx): void {
  const zone = rule.match.window?.timezone;
  if (zone !== undefined && !timeZoneSchema.safeParse(zone).success)
    ctx.addIssue({
      code: 'custom',
      path: ['match', 'window', 'timezone'],
      message: 'expected an IANA time zone such as Europe/Paris',
    });
}
const ruleBody = routingRuleSchema.superRefine(knownZone);
const newRuleBody = routingRuleSchema.extend({ id: ruleIdSchema.optional() }).superRefine(knownZone);

const categoryParams = z.object({ id: categoryIdSchema });
const ruleParams = z.object({ id: ruleIdSchema });

/**
 * The catalogue the router decides with: categories (required or not, their own caps) and routing
 * rules. Each change is announced, so routers use it at once. Admin scope: it changes what every
 * user receives.
 */
export function catalogRoutes(app: FastifyInstance, deps: { policy: PolicyRepo; changes: ChangeDeps }): void {
  const changed = () =>
    announceChange(deps.changes.redis, deps.changes.topicPrefix, { kind: 'catalog' }, deps.changes.log);

  const common = { tags: ['catalog'], access: 'admin' } as const;
  const noRule = { 404: 'No routing rule with this id.' };

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/categories',
      operationId: 'listCategories',
      summary: 'Every configured category',
      responses: {
        200: { description: 'The categories.', schema: z.object({ categories: z.array(categorySchema) }) },
      },
    },
    async () => ({ categories: await deps.policy.categories() }),
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/categories/:id',
      operationId: 'getCategory',
      summary: 'A category’s settings',
      description: 'A category nobody configured is optional, with no caps of its own.',
      params: categoryParams,
      responses: { 200: { description: 'The category.', schema: categorySchema } },
    },
    async ({ params: { id } }) => (await deps.policy.category(id)) ?? { id, required: false, caps: [] },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'PUT',
      url: '/v1/categories/:id',
      operationId: 'putCategory',
      summary: 'Create or replace a category',
      description:
        'Required categories ignore opt-outs; caps limit how many a user gets per channel and window.',
      params: categoryParams,
      body: categorySettingsSchema,
      responses: {
        200: { description: 'Replaced.', schema: categorySchema },
        201: { description: 'Created.', schema: categorySchema },
      },
    },
    async ({ params: { id }, body }, _request, reply) => {
      const { created } = await deps.policy.setCategory({ id, ...body });
      await changed();
      return reply.code(created ? 201 : 200).send({ id, ...body });
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/routing-rules',
      operationId: 'listRoutingRules',
      summary: 'Every routing rule, in the order the router tries them',
      responses: {
        200: { description: 'The rules.', schema: z.object({ rules: z.array(routingRuleAnswerSchema) }) },
      },
    },
    async () => ({ rules: await deps.policy.rules() }),
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'POST',
      url: '/v1/routing-rules',
      operationId: 'createRoutingRule',
      summary: 'Add a routing rule',
      description: 'Without an `id`, one is made up. An `id` that exists is refused: PUT replaces.',
      body: newRuleBody,
      responses: { 201: { description: 'Added.', schema: routingRuleAnswerSchema } },
    },
    async ({ body }, _request, reply) => {
      const id = body.id ?? randomUUID();
      if (body.id !== undefined && (await deps.policy.rule(id)))
        throw new HeraldError(
          'validation_failed',
          `id: rule ${id} exists (PUT /v1/routing-rules/${id} replaces it)`,
          {
            field: 'id',
          },
        );
      const rule = { ...body, id };
      await deps.policy.setRule(rule);
      await changed();
      return reply.code(201).send(rule);
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'GET',
      url: '/v1/routing-rules/:id',
      operationId: 'getRoutingRule',
      summary: 'A routing rule',
      params: ruleParams,
      errors: noRule,
      responses: { 200: { description: 'The rule.', schema: routingRuleAnswerSchema } },
    },
    async ({ params: { id } }) => {
      const rule = await deps.policy.rule(id);
      if (!rule) throw new HeraldError('not_found', `routing rule ${id} not found`);
      return rule;
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'PUT',
      url: '/v1/routing-rules/:id',
      operationId: 'putRoutingRule',
      summary: 'Create or replace a routing rule',
      params: ruleParams,
      body: ruleBody,
      responses: {
        200: { description: 'Replaced.', schema: routingRuleAnswerSchema },
        201: { description: 'Created.', schema: routingRuleAnswerSchema },
      },
    },
    async ({ params: { id }, body }, _request, reply) => {
      const { created } = await deps.policy.setRule({ ...body, id });
      await changed();
      return reply.code(created ? 201 : 200).send({ ...body, id });
    },
  );

  apiRoute(
    app,
    {
      ...common,
      method: 'DELETE',
      url: '/v1/routing-rules/:id',
      operationId: 'deleteRoutingRule',
      summary: 'Remove a routing rule',
      params: ruleParams,
      errors: noRule,
      responses: { 204: { description: 'Removed.' } },
    },
    async ({ params: { id } }, _request, reply) => {
      if (!(await deps.policy.removeRule(id)))
        throw new HeraldError('not_found', `routing rule ${id} not found`);
      await changed();
      return reply.code(204).send();
    },
  );
}
