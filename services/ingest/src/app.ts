import { dirname } from 'node:path';
import {
  apiKeyAuth,
  buildOpsServer,
  collectApiRoutes,
  registerApiDocs,
  registerErrorHandler,
  registerRequestMetrics,
} from '@herald/shared';
import type { FastifyInstance, Logger, Pool, Readiness, Registry } from '@herald/shared';
import { notificationRoutes } from './routes/notifications';
import { notificationBatchRoutes } from './routes/notifications-batch';
import type { NotificationBatchDeps } from './routes/notifications-batch';
import { userRoutes } from './routes/users';
import { preferenceRoutes } from './routes/preferences';
import type { ChangeDeps } from './routes/preferences';
import { catalogRoutes } from './routes/catalog';
import { templateRoutes } from './routes/templates';
import { publicRoutes } from './routes/public';
import type { PublicDeps } from './routes/public';
import type { UsersRepo } from './adapters/users-repo';
import type { PolicyRepo } from './adapters/policy-repo';
import type { TemplatesRepo } from './adapters/templates-repo';
import { INGEST_API_INFO } from './routes/api-schemas';

export interface AppDeps extends NotificationBatchDeps {
  registry: Registry;
  readiness: Readiness;
  pool: Pool;
  log: Logger;
  users: UsersRepo;
  policy: PolicyRepo;
  templates: TemplatesRepo;
  changes: ChangeDeps;
  bodyLimit: number;
  /** Unsubscribe links and provider webhooks: no API key, their own signatures. */
  public: Omit<PublicDeps, 'publisher' | 'topics' | 'changes' | 'clock' | 'log' | 'policy'>;
}

/**
 * The public API and the ops routes, with the API's OpenAPI document at /openapi.json and its docs
 * page at /docs (no API key). Built, not started: tests call `app.inject()` on it.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = buildOpsServer(deps, { bodyLimit: deps.bodyLimit });
  registerErrorHandler(app, deps.log);
  registerRequestMetrics(app, deps.registry);
  const routes = collectApiRoutes(app);
  void app.register((api, _opts, done) => {
    api.addHook('onRequest', apiKeyAuth(deps.pool, 'send'));
    notificationRoutes(api, deps);
    notificationBatchRoutes(api, deps);
    userRoutes(api, deps);
    preferenceRoutes(api, deps);
    done();
  });
  // The catalogue changes what every user receives: operators' keys only.
  void app.register((admin, _opts, done) => {
    admin.addHook('onRequest', apiKeyAuth(deps.pool, 'admin'));
    catalogRoutes(admin, deps);
    templateRoutes(admin, deps);
    done();
  });
  void app.register((open, _opts, done) => {
    publicRoutes(open, { ...deps, ...deps.public });
    done();
  });
  registerApiDocs(app, routes, INGEST_API_INFO, {
    swaggerUiDir: dirname(require.resolve('swagger-ui-dist/package.json')),
  });
  return app;
}
