import {
  HeraldError,
  announceChange,
  apiRoute,
  stableEventId,
  statusEvent,
  verifyUnsubscribeToken,
  z,
} from '@herald/shared';
import type {
  FastifyInstance,
  FastifyReply,
  Logger,
  OutboundRecord,
  Publisher,
  TopicNames,
} from '@herald/shared';
import type { WebhookOutcome } from '../domain/webhooks';
import { sendGridEvents, twilioCallback } from '../domain/webhooks';
import type { PolicyRepo } from '../adapters/policy-repo';
import type { ChangeDeps } from './preferences';
import { unsubscribePage } from './unsubscribe-page';
import { publishWithin } from './accept';

/** How ingest checks the providers' signatures; a provider left unset answers 503 on its webhook. */
export interface WebhookVerifiers {
  /** SendGrid's signed Event Webhook: ECDSA over timestamp + raw body. */
  sendgrid: ((payload: string, signature: string, timestamp: string) => boolean) | null;
  /** Twilio: HMAC-SHA1 of the full URL and the sorted form fields (`X-Twilio-Signature`). */
  twilio: ((signature: string, url: string, params: Record<string, string>) => boolean) | null;
}

export interface PublicDeps {
  policy: Pick<PolicyRepo, 'optOut'>;
  suppress: (
    items: { channel: 'EMAIL' | 'SMS' | 'PUSH'; address: string; reason: string; source: string }[],
  ) => Promise<void>;
  publisher: Publisher;
  topics: TopicNames;
  changes: ChangeDeps;
  verifiers: WebhookVerifiers;
  unsubscribeSecret: string;
  /** Ingest's address as the providers call it: Twilio signs the full URL. */
  publicBaseUrl: string;
  clock: () => number;
  log: Logger;
}

/** The token is checked by its signature, not by a schema: any text reaches the check. */
const tokenParams = z.object({
  token: z.string().meta({ description: 'The signed, expiring token of an unsubscribe link.' }),
});
const html = (description: string) => ({ description, contentType: 'text/html' });
const unsubscribe = {
  tags: ['public'],
  access: 'public',
  params: tokenParams,
  responses: { 200: html('The page.'), 400: html('The link is invalid or has expired: a page says so.') },
} as const;
const webhook = (provider: string, contentType: string, signature: string) =>
  ({
    tags: ['public'],
    access: 'public',
    rawBody: { contentTypes: [contentType], description: `As ${provider} sends it, signed (${signature}).` },
    errors: {
      400: 'The body is not what the provider sends.',
      401: `The signature (${signature}) does not match the body.`,
      503: `${provider} webhooks are not configured here, or Kafka did not acknowledge.`,
    },
  }) as const;

/** A signed SendGrid event is refused when its timestamp is further than this from now (replays). */
const SIGNATURE_MAX_AGE_S = 10 * 60;

/**
 * Routes that carry their own proof instead of an API key: the one-click unsubscribe (a signed,
 * expiring token) and the providers' delivery callbacks (signed by the provider). Bodies reach them
 * raw, as the signatures are over the exact bytes.
 */
export function publicRoutes(app: FastifyInstance, deps: PublicDeps): void {
  app.removeAllContentTypeParsers();
  // RFC 8058 one-click POSTs are multipart/form-data or urlencoded; the body says nothing the
  // token does not, so any is taken raw.
  app.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'],
    { parseAs: 'buffer', bodyLimit: 1024 * 1024 },
    (_request, body: Buffer, done) => done(null, body),
  );
  const raw = (body: unknown) => (Buffer.isBuffer(body) ? body.toString('utf8') : '');

  const ask = {
    ...unsubscribe,
    method: 'GET',
    url: '/v1/unsubscribe/:token',
    operationId: 'unsubscribePage',
    summary: 'The page of an unsubscribe link: asks, never unsubscribes',
  } as const;
  apiRoute(app, ask, ({ params: { token } }, _request, reply) => {
    const check = verifyUnsubscribeToken(deps.unsubscribeSecret, token, deps.clock());
    return page(
      reply,
      check.ok ? 200 : 400,
      unsubscribePage(check.ok ? { ask: check.claims.category } : { invalid: check.reason }),
    );
  });

  // RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click`; the page's button posts the same.
  const oneClick = {
    ...unsubscribe,
    method: 'POST',
    url: '/v1/unsubscribe/:token',
    operationId: 'unsubscribe',
    summary: 'Unsubscribe: RFC 8058 one-click, or the page’s button',
    rawBody: {
      contentTypes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
      description: '`List-Unsubscribe=One-Click`; the token alone decides.',
    },
  } as const;
  apiRoute(app, oneClick, async ({ params: { token } }, _request, reply) => {
    const check = verifyUnsubscribeToken(deps.unsubscribeSecret, token, deps.clock());
    if (!check.ok) return page(reply, 400, unsubscribePage({ invalid: check.reason }));
    const { userId, category } = check.claims;
    // A user removed since keeps no preferences: done all the same.
    if (await deps.policy.optOut(userId, category, 'EMAIL')) {
      await announceChange(deps.changes.redis, deps.changes.topicPrefix, { kind: 'user', userId }, deps.log);
    }
    deps.log.info({ category }, 'one-click unsubscribe');
    return page(reply, 200, unsubscribePage({ done: category }));
  });

  const sendgrid = {
    ...webhook('SendGrid', 'application/json', 'X-Twilio-Email-Event-Webhook-Signature'),
    method: 'POST',
    url: '/v1/webhooks/sendgrid',
    operationId: 'sendgridEvents',
    summary: 'SendGrid’s Event Webhook: delivered, bounced, dropped, spam reports',
    responses: {
      200: {
        description: 'What the events did.',
        schema: z.object({
          events: z.number().int(),
          suppressed: z.number().int(),
          ignored: z.number().int(),
        }),
      },
    },
  } as const;
  apiRoute(app, sendgrid, async (_input, request, reply) => {
    const verify = deps.verifiers.sendgrid;
    if (!verify)
      throw new HeraldError(
        'dependency_unavailable',
        'SendGrid webhooks are not configured (SENDGRID_WEBHOOK_PUBLIC_KEY)',
      );
    const payload = raw(request.body);
    const signature = header(request.headers['x-twilio-email-event-webhook-signature']);
    const timestamp = header(request.headers['x-twilio-email-event-webhook-timestamp']);
    const fresh = Math.abs(deps.clock() / 1000 - Number(timestamp)) <= SIGNATURE_MAX_AGE_S;
    if (!signature || !timestamp || !fresh || !safely(() => verify(payload, signature, timestamp))) {
      throw new HeraldError('unauthorized', 'the SendGrid signature does not match this body');
    }
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      throw new HeraldError('validation_failed', 'body: must be a JSON array of SendGrid events', {
        field: 'body',
      });
    }
    return reply.send(await apply(deps, 'webhook-sendgrid', sendGridEvents(body, deps.clock())));
  });

  const twilio = {
    ...webhook('Twilio', 'application/x-www-form-urlencoded', 'X-Twilio-Signature'),
    method: 'POST',
    url: '/v1/webhooks/twilio',
    operationId: 'twilioStatusCallback',
    summary: 'Twilio’s message status callback',
    responses: { 200: { description: 'An empty TwiML answer.', contentType: 'text/xml' } },
  } as const;
  apiRoute(app, twilio, async (_input, request, reply) => {
    const verify = deps.verifiers.twilio;
    if (!verify)
      throw new HeraldError(
        'dependency_unavailable',
        'Twilio webhooks are not configured (TWILIO_AUTH_TOKEN)',
      );
    const form = new URLSearchParams(raw(request.body));
    const signature = header(request.headers['x-twilio-signature']);
    const url = `${deps.publicBaseUrl}${request.url}`;
    if (!signature || !safely(() => verify(signature, url, Object.fromEntries(form)))) {
      throw new HeraldError('unauthorized', 'the Twilio signature does not match this request');
    }
    const notificationId = new URL(url).searchParams.get('notificationId');
    await apply(deps, 'webhook-twilio', twilioCallback(form, notificationId, deps.clock()));
    // Twilio reads an empty TwiML response as "nothing to do".
    return reply.type('text/xml').send('<Response/>');
  });
}

/** Suppressions first (the next notification must not use the address), then the status events. */
async function apply(deps: PublicDeps, source: string, outcome: WebhookOutcome) {
  await deps.suppress(outcome.suppressions.map((s) => ({ ...s, source })));
  const records: OutboundRecord[] = outcome.events.map((e) => ({
    topic: deps.topics.status,
    key: e.notificationId,
    value: statusEvent({
      eventId: stableEventId(e.eventKey, e.status),
      notificationId: e.notificationId,
      status: e.status,
      channel: e.channel,
      service: source,
      at: e.at,
      providerMessageId: e.providerMessageId,
      reason: e.reason,
    }),
  }));
  if (records.length > 0) await publishWithin(deps.publisher, records);
  deps.log.info(
    { events: outcome.events.length, suppressed: outcome.suppressions.length, ignored: outcome.ignored },
    `${source} callback`,
  );
  return { events: outcome.events.length, suppressed: outcome.suppressions.length, ignored: outcome.ignored };
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A verifier that throws on a malformed signature has said no. */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function page(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .header('cache-control', 'no-store')
    .send(html);
}
