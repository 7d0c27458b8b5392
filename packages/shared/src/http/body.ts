import type { FastifyInstance } from 'fastify';
import { registerBodyLimits } from './body-limits';
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body';

export interface BodyOptions {
  /** Largest accepted body in bytes; a larger one gets 413. */
  bodyLimit: number;
  maxDepth?: number;
  /** How much of a refused body is read and thrown away before answering (see body-limits.ts). */
  drainLimit?: number;
}

const DEFAULT_DRAIN_LIMIT = 64 * 1024 * 1024;

/** JSON is the only body Herald's APIs take: checked (UTF-8, depth, safe strings), then parsed. */
function registerJsonParser(app: FastifyInstance, bodyLimit: number, maxDepth: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (request, body: Buffer, done) => {
      // No body at all is left for the route to judge (PUT /v1/users/:id may have none).
      if (body.length === 0) return done(null, undefined);
      try {
        done(null, parseJsonBody(body, request.headers['content-type'], maxDepth));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}

/** Body handling every Herald HTTP server shares. */
export function registerBodyHandling(app: FastifyInstance, opts: BodyOptions): void {
  registerBodyLimits(app, { bodyLimit: opts.bodyLimit, drainLimit: opts.drainLimit ?? DEFAULT_DRAIN_LIMIT });
  registerJsonParser(app, opts.bodyLimit, opts.maxDepth ?? MAX_JSON_DEPTH);
}
