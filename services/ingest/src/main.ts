import {
  PRIORITIES,
  createRuntime,
  exitOnStartFailure,
  installShutdown,
  metricsFor,
  writeSuppressions,
  zeroSeries,
} from '@herald/shared';
import { sendGridVerifier, twilioVerifier } from './adapters/webhook-signatures';
import { loadConfig } from './config';
import { buildApp } from './app';
import { redisIdempotencyStore } from './adapters/idempotency-store';
import { pgNotificationsRepo } from './adapters/notifications-repo';
import { startStatusProjection } from './adapters/status-projection';
import { pgUsersRepo } from './adapters/users-repo';
import { pgPolicyRepo } from './adapters/policy-repo';
import { pgTemplatesRepo } from './adapters/templates-repo';

/** Composition root of ingest: the public API, and the notify.status projection behind GET. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('ingest', config, { postgres: true, redis: true });
  const accepted = metricsFor.acceptedRequests(rt.registry);
  // From the start, at 0 (zeroSeries): a burst before the first scrape counts too.
  zeroSeries(accepted, { priority: PRIORITIES, source: ['http', 'http_batch'] });

  const app = buildApp({
    ...rt,
    publisher: rt.publisher,
    topics: rt.topics,
    idempotency: redisIdempotencyStore(rt.redis, config.IDEMPOTENCY_TTL_SECONDS),
    notifications: pgNotificationsRepo(rt.pool),
    users: pgUsersRepo(rt.pool),
    policy: pgPolicyRepo(rt.pool),
    templates: pgTemplatesRepo(rt.pool),
    changes: { redis: rt.redis, topicPrefix: config.TOPIC_PREFIX, log: rt.log },
    clock: Date.now,
    metrics: { accepted },
    bodyLimit: config.BODY_LIMIT_BYTES,
    batchBodyLimit: config.BATCH_BODY_LIMIT_BYTES,
    public: {
      unsubscribeSecret: config.UNSUBSCRIBE_SECRET,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      verifiers: {
        sendgrid: config.SENDGRID_WEBHOOK_PUBLIC_KEY
          ? sendGridVerifier(config.SENDGRID_WEBHOOK_PUBLIC_KEY)
          : null,
        twilio: config.TWILIO_AUTH_TOKEN ? twilioVerifier(config.TWILIO_AUTH_TOKEN) : null,
      },
      suppress: (items) =>
        writeSuppressions(
          rt.pool,
          items.map((i) => ({ ...i, userId: null })),
        ),
    },
  });

  const projection = await startStatusProjection({
    kafka: rt.kafka,
    consumerOptions: rt.consumerOptions,
    groupId: rt.topics.group('herald-ingest-status'),
    topics: rt.topics,
    codec: rt.codec,
    publisher: rt.publisher,
    pool: rt.pool,
    log: rt.log,
    lag: rt.lag,
    concurrency: config.PROJECTION_CONCURRENCY,
    clock: Date.now,
    metrics: {
      projected: metricsFor.statusEventsProjected(rt.registry),
      lag: metricsFor.statusProjectionLag(rt.registry),
    },
  });

  await app.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  installShutdown(rt, { consumers: [projection], http: app });
  rt.log.info({ port: config.HTTP_PORT }, 'ingest started');
}

main().catch((err: unknown) => exitOnStartFailure(err));
