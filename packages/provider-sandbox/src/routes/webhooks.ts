import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseSendGridEventRequest, parseTwilioStatusRequest } from '../webhooks';
import type { WebhookOutcome } from '../webhooks';
import type { RouteContext } from './common';

/** The receiver's answer, or why there was none, as the sandbox API's answer. */
function answer(reply: FastifyReply, outcome: WebhookOutcome): FastifyReply {
  switch (outcome.kind) {
    case 'sent':
      return reply.send({ status: outcome.status, body: outcome.body });
    case 'not_found':
      return reply.code(404).send({ error: 'not_found', message: outcome.message });
    case 'no_receiver':
      return reply.code(400).send({ error: 'bad_request', problems: [outcome.message] });
    case 'unreachable':
      return reply.code(502).send({ error: 'bad_gateway', message: outcome.message });
  }
}

/** `/api/webhooks/*`: the providers' webhooks about messages the sandbox accepted, signed as they sign them. */
export function registerWebhooks(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/webhooks/keys', (_request, reply) =>
    reply.send({ sendgridPublicKey: ctx.webhooks.sendgridPublicKey }),
  );

  app.post('/api/webhooks/sendgrid', async (request, reply): Promise<FastifyReply> => {
    const parsed = parseSendGridEventRequest(request.body);
    if (!parsed.ok) return reply.code(400).send({ error: 'bad_request', problems: parsed.problems });
    return answer(reply, await ctx.webhooks.sendgrid(parsed.value));
  });

  app.post('/api/webhooks/twilio', async (request, reply): Promise<FastifyReply> => {
    const parsed = parseTwilioStatusRequest(request.body);
    if (!parsed.ok) return reply.code(400).send({ error: 'bad_request', problems: parsed.problems });
    return answer(reply, await ctx.webhooks.twilio(parsed.value));
  });
}
