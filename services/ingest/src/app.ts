import { apiKeyAuth, buildOpsServer, registerErrorHandler } from '@herald/shared';
import type { FastifyInstance, Logger, Pool, Readiness, Registry } from '@herald/shared';
import { notificationRoutes } from './routes/notifications';
import { notificationBatchRoutes } from './routes/notifications-batch';
import type { NotificationBatchDeps } from './routes/notifications-batch';
import { userRoutes } from './routes/users';
import type { UsersRepo } from './adapters/users-repo';

export interface AppDeps extends NotificationBatchDeps {
  registry: Registry;
  readiness: Readiness;
  pool: Pool;
  log: Logger;
  users: UsersRepo;
  bodyLimit: number;
}

/** The public API and the ops routes. Built, not started: tests call `app.inject()` on it. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = buildOpsServer(deps, { bodyLimit: deps.bodyLimit });
  registerErrorHandler(app, deps.log);
  void app.register((api, _opts, done) => {
    api.addHook('onRequest', apiKeyAuth(deps.pool, 'send'));
    notificationRoutes(api, deps);
    notificationBatchRoutes(api, deps);
    userRoutes(api, deps);
    done();
  });
  return app;
}
