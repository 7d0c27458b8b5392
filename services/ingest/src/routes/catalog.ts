import { randomUUID } from 'node:crypto';
import {
  HeraldError,
  announceChange,
  categorySettingsSchema,
  parseInput,
  routingRuleSchema,
  z,
} from '@herald/shared';
import type { FastifyInstance } from '@herald/shared';
import { categoryIdSchema } from '@herald/shared/domain';
import { timeZoneSchema } from '../domain/time-zone';
import type { PolicyRepo } from '../adapters/policy-repo';
import type { ChangeDeps } from './preferences';

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

  app.get('/v1/categories', async () => ({ categories: await deps.policy.categories() }));

  app.get('/v1/categories/:id', async (request) => {
    const { id } = parseInput(categoryParams, request.params, 'params');
    // A category nobody configured is optional, with no caps of its own.
    return (await deps.policy.category(id)) ?? { id, required: false, caps: [] };
  });

  app.put('/v1/categories/:id', async (request, reply) => {
    const { id } = parseInput(categoryParams, request.params, 'params');
    const body = parseInput(categorySettingsSchema, request.body);
    const { created } = await deps.policy.setCategory({ id, ...body });
    await changed();
    return reply.code(created ? 201 : 200).send({ id, ...body });
  });

  app.get('/v1/routing-rules', async () => ({ rules: await deps.policy.rules() }));

  app.post('/v1/routing-rules', async (request, reply) => {
    const body = parseInput(newRuleBody, request.body);
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
  });

  app.get('/v1/routing-rules/:id', async (request) => {
    const { id } = parseInput(ruleParams, request.params, 'params');
    const rule = await deps.policy.rule(id);
    if (!rule) throw new HeraldError('not_found', `routing rule ${id} not found`);
    return rule;
  });

  app.put('/v1/routing-rules/:id', async (request, reply) => {
    const { id } = parseInput(ruleParams, request.params, 'params');
    const body = parseInput(ruleBody, request.body);
    const { created } = await deps.policy.setRule({ ...body, id });
    await changed();
    return reply.code(created ? 201 : 200).send({ ...body, id });
  });

  app.delete('/v1/routing-rules/:id', async (request, reply) => {
    const { id } = parseInput(ruleParams, request.params, 'params');
    if (!(await deps.policy.removeRule(id)))
      throw new HeraldError('not_found', `routing rule ${id} not found`);
    await changed();
    return reply.code(204).send();
  });
}
