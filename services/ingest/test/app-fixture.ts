import { generateKeyPairSync } from 'node:crypto';
import { createRegistry, metricsFor, writeSuppressions } from '@herald/shared';
import type { FastifyInstance, Publisher, Registry } from '@herald/shared';
import { silentLog } from '@herald/test-support';
import type { IntegrationDeps } from '@herald/test-support';
import { buildApp } from '../src/app';
import { redisIdempotencyStore } from '../src/adapters/idempotency-store';
import { pgNotificationsRepo } from '../src/adapters/notifications-repo';
import { pgPolicyRepo } from '../src/adapters/policy-repo';
import { pgTemplatesRepo } from '../src/adapters/templates-repo';
import { pgUsersRepo } from '../src/adapters/users-repo';
import { sendGridVerifier, twilioVerifier } from '../src/adapters/webhook-signatures';

/** What the test app signs and checks with: a SendGrid key pair, a Twilio auth token, the unsubscribe secret. */
const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
export const webhookKeys = {
  sendgridPrivateKey: pair.privateKey,
  sendgridPublicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  twilioAuthToken: 'test-twilio-auth-token',
  unsubscribeSecret: 'test-only-unsubscribe-secret-0123456789',
  publicBaseUrl: 'https://herald.example.test',
};

/** The app as main.ts builds it, on a test's real clients; what a test varies is given. */
export function ingestApp(
  deps: IntegrationDeps,
  opts: {
    publisher?: Publisher;
    registry?: Registry;
    /** The accepted-requests counter, when the test reads it. */
    accepted?: ReturnType<typeof metricsFor.acceptedRequests>;
    bodyLimit?: number;
    batchBodyLimit?: number;
  } = {},
): FastifyInstance {
  const registry = opts.registry ?? createRegistry('ingest-test');
  return buildApp({
    registry,
    readiness: { draining: false, checks: [] },
    pool: deps.pool,
    log: silentLog,
    publisher: opts.publisher ?? deps.publisher,
    topics: deps.topics,
    idempotency: redisIdempotencyStore(deps.redis, 60),
    notifications: pgNotificationsRepo(deps.pool),
    users: pgUsersRepo(deps.pool),
    policy: pgPolicyRepo(deps.pool),
    templates: pgTemplatesRepo(deps.pool),
    changes: { redis: deps.redis, topicPrefix: deps.prefix, log: silentLog },
    clock: Date.now,
    metrics: { accepted: opts.accepted ?? metricsFor.acceptedRequests(registry) },
    bodyLimit: opts.bodyLimit ?? 64 * 1024,
    batchBodyLimit: opts.batchBodyLimit ?? 1024 * 1024,
    public: {
      unsubscribeSecret: webhookKeys.unsubscribeSecret,
      publicBaseUrl: webhookKeys.publicBaseUrl,
      verifiers: {
        sendgrid: sendGridVerifier(webhookKeys.sendgridPublicKey),
        twilio: twilioVerifier(webhookKeys.twilioAuthToken),
      },
      suppress: (items) =>
        writeSuppressions(
          deps.pool,
          items.map((i) => ({ ...i, userId: null })),
        ),
    },
  });
}
