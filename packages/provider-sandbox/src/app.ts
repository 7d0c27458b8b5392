import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { KeyObject } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultRegistry } from './faults';
import { DeliveryLedger } from './ledger';
import { registerApi } from './routes/api';
import type { RouteContext } from './routes/common';
import { registerFcm } from './routes/fcm';
import { registerSendGrid } from './routes/sendgrid';
import { registerTwilio } from './routes/twilio';
import { registerWebhooks } from './routes/webhooks';
import { createSmtpListener } from './smtp';
import type { SmtpListener } from './smtp';
import { MessageStore } from './store';
import { generateSendGridSigningKey, isHttpUrl, sendGridSigningKey, WebhookSender } from './webhooks';

const DEFAULT_SMTP_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface SandboxOptions {
  /** Fastify's request logging; off by default (tests). */
  logger?: boolean;
  /** Decides which requests an `errorRate` fault fails; inject for deterministic tests. */
  random?: () => number;
  /** Epoch milliseconds, for message times and rate limits; inject for deterministic tests. */
  now?: () => number;
  /** Waits for injected latency; inject to test latency without waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Messages kept in memory, oldest dropped first; 0 keeps none. */
  capacity?: number;
  /**
   * Keep the time, channel and reference of every accepted message for `GET /api/deliveries`
   * (load tests; grows with the run). Counts per provider are kept either way.
   */
  keepDeliveries?: boolean;
  /**
   * Signs SendGrid events (`POST /api/webhooks/sendgrid`): an EC P-256 private key, as a KeyObject,
   * base64 PKCS#8 DER or PEM. A fresh one is generated when absent; `GET /api/webhooks/keys` shows
   * the public half either way.
   */
  sendgridWebhookPrivateKey?: string | KeyObject;
  /** Where SendGrid events go when a request names no `url`; none by default. */
  sendgridWebhookUrl?: string;
  /**
   * Where Twilio status callbacks go, as a tunnel or proxy in front of the receiver would forward
   * them: an http(s) origin (`http://ingest:8080`) that takes the `StatusCallback`'s path and query.
   * The signature still covers the `StatusCallback` as given. None by default: posted as given.
   */
  twilioCallbackOrigin?: string;
  /** The largest message the SMTP server takes, in bytes; larger ones are answered 552. 10 MiB by default. */
  smtpMaxMessageBytes?: number;
}

export interface Sandbox {
  app: FastifyInstance;
  store: MessageStore;
  faults: FaultRegistry;
  ledger: DeliveryLedger;
  webhooks: WebhookSender;
  /** The SMTP server; `app.close()` closes it too. */
  smtp: SmtpListener;
}

/** The key SendGrid events are signed with, as SendGrid shows a verification key: base64 SPKI DER. */
export function sendGridWebhookPublicKey(sandbox: Pick<Sandbox, 'webhooks'>): string {
  return sandbox.webhooks.sendgridPublicKey;
}

function signingKey(key: string | KeyObject | undefined): KeyObject {
  if (key === undefined) return generateSendGridSigningKey();
  try {
    return sendGridSigningKey(key);
  } catch (err) {
    throw new Error(`sendgridWebhookPrivateKey: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Builds the provider sandbox: fake SendGrid, Twilio and FCM endpoints, an SMTP server, the `/api`
 * inbox and fault controls, and an HTML inbox at `/`. Does not listen; call `app.listen()` or use
 * `app.inject()`, and `smtp.listen()` for SMTP.
 */
export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const app = Fastify({ logger: opts.logger ?? false });
  const ledger = new DeliveryLedger(opts.keepDeliveries ?? false);
  const now = opts.now ?? Date.now;
  const store = new MessageStore({ capacity: opts.capacity, ledger, now: () => new Date(now()) });
  const faults = new FaultRegistry(opts.random, now);
  if (opts.sendgridWebhookUrl !== undefined && !isHttpUrl(opts.sendgridWebhookUrl)) {
    throw new Error(
      `sendgridWebhookUrl must be an absolute http or https URL, got '${opts.sendgridWebhookUrl}'`,
    );
  }
  const webhooks = new WebhookSender({
    store,
    sendgridKey: signingKey(opts.sendgridWebhookPrivateKey),
    sendgridUrl: opts.sendgridWebhookUrl,
    twilioCallbackOrigin: opts.twilioCallbackOrigin,
    now,
  });
  const ctx: RouteContext = { store, ledger, faults, webhooks, sleep: opts.sleep ?? ((ms) => delay(ms)) };

  const smtp = createSmtpListener({
    store,
    faults,
    sleep: ctx.sleep,
    maxMessageBytes: opts.smtpMaxMessageBytes ?? DEFAULT_SMTP_MAX_MESSAGE_BYTES,
    onError: (err) => app.log.warn({ err }, 'SMTP error'),
  });
  app.addHook('onClose', () => smtp.close());

  void app.register(formbody);
  registerSendGrid(app, ctx);
  registerTwilio(app, ctx);
  registerFcm(app, ctx);
  registerApi(app, ctx);
  registerWebhooks(app, ctx);

  // A fake that was not told what to do fails loudly.
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `The provider sandbox has no route for ${request.method} ${request.url}`,
    }),
  );
  return { app, store, faults, ledger, webhooks, smtp };
}
