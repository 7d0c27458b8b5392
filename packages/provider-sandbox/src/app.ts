import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultRegistry } from './faults';
import { DeliveryLedger } from './ledger';
import { registerApi } from './routes/api';
import type { RouteContext } from './routes/common';
import { registerFcm } from './routes/fcm';
import { registerSendGrid } from './routes/sendgrid';
import { registerTwilio } from './routes/twilio';
import { MessageStore } from './store';

export interface SandboxOptions {
  /** Fastify's request logging; off by default (tests). */
  logger?: boolean;
  /** Decides which requests an `errorRate` fault fails; inject for deterministic tests. */
  random?: () => number;
  /** Waits for injected latency; inject to test latency without waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Messages kept in memory, oldest dropped first; 0 keeps none. */
  capacity?: number;
  /**
   * Keep the time, channel and reference of every accepted message for `GET /api/deliveries`
   * (load tests; grows with the run). Counts per provider are kept either way.
   */
  keepDeliveries?: boolean;
}

export interface Sandbox {
  app: FastifyInstance;
  store: MessageStore;
  faults: FaultRegistry;
  ledger: DeliveryLedger;
}

/**
 * Builds the provider sandbox: fake SendGrid, Twilio and FCM endpoints, the `/api` inbox and fault
 * controls, and an HTML inbox at `/`. Does not listen; call `app.listen()` or use `app.inject()`.
 */
export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const app = Fastify({ logger: opts.logger ?? false });
  const ledger = new DeliveryLedger(opts.keepDeliveries ?? false);
  const store = new MessageStore({ capacity: opts.capacity, ledger });
  const faults = new FaultRegistry(opts.random);
  const ctx: RouteContext = { store, ledger, faults, sleep: opts.sleep ?? ((ms) => delay(ms)) };

  void app.register(formbody);
  registerSendGrid(app, ctx);
  registerTwilio(app, ctx);
  registerFcm(app, ctx);
  registerApi(app, ctx);

  // A fake that was not told what to do fails loudly.
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `The provider sandbox has no route for ${request.method} ${request.url}`,
    }),
  );
  return { app, store, faults, ledger };
}
