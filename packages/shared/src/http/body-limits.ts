import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, pipeline } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HeraldError } from '../errors';
import { routeBodyLimits } from './route-limits';
import type { RouteBodyLimits } from './route-limits';

/**
 * Why a body is read to its end even when it is refused: most clients write their whole body before
 * reading the answer, and node closes the connection once it has answered (always, when the client
 * sent `Connection: close`). A client still writing then gets EPIPE instead of the 413 or 401. So
 * every refusal waits until the body has arrived, up to `drainLimit` bytes (and the server's
 * request timeout); beyond that the connection is closed, since an endless upload is not read.
 */
export interface BodyLimits {
  bodyLimit: number;
  drainLimit: number;
}

const tooLarge = (limit: number) =>
  new HeraldError('payload_too_large', `request body is larger than ${limit} bytes`);

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;

/** Reads a body to its end and throws it away; false when it ran past `limit` or broke off. */
export function drain(stream: Readable, limit: number): Promise<boolean> {
  if (stream.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let received = 0;
    const finish = (ended: boolean) => {
      stream.off('data', onData).off('end', onEnd).off('error', onBroken).off('close', onBroken);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        stream.pause();
        finish(false);
      }
    };
    const onEnd = () => finish(true);
    const onBroken = () => finish(false);
    stream.on('data', onData).once('end', onEnd).once('error', onBroken).once('close', onBroken);
    stream.resume();
  });
}

/**
 * Counts a body sent without Content-Length (chunked): past the limit it keeps reading but passes
 * nothing on, and fails only at the end (or at the drain limit), so the 413 reaches the client.
 */
function chunkedLimit({ bodyLimit, drainLimit }: BodyLimits): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback: TransformCallback) {
      received += chunk.length;
      if (received > drainLimit) return callback(tooLarge(bodyLimit));
      callback(null, received > bodyLimit ? undefined : chunk);
    },
    flush(callback: TransformCallback) {
      callback(received > bodyLimit ? tooLarge(bodyLimit) : null);
    },
  });
}

/** A route's own limit in place of the server's; a body the route allows is never cut off as a drain. */
function withRoute(limits: BodyLimits, routeLimit: number | undefined): BodyLimits {
  if (routeLimit === undefined) return limits;
  return { bodyLimit: routeLimit, drainLimit: Math.max(limits.drainLimit, routeLimit) };
}

/** The limits of the route a request was routed to (none for a 404: the server's). */
function limitsOf(request: FastifyRequest, limits: BodyLimits, routes: RouteBodyLimits): BodyLimits {
  return withRoute(limits, routes.ofRoute(request.method, request.routeOptions.url));
}

/** Before parsing: a body too large is refused (after draining it), a compressed one too. */
function guardBeforeParsing(app: FastifyInstance, base: BodyLimits, routes: RouteBodyLimits): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    if (!hasBody(request)) return payload;
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      throw new HeraldError('unsupported_media_type', `Content-Encoding ${encoding} is not supported`, {
        field: 'content-encoding',
      });
    }
    const limits = limitsOf(request, base, routes);
    const declared = Number(request.headers['content-length']);
    if (declared > limits.bodyLimit) {
      if (declared > limits.drainLimit || !(await drain(payload, limits.drainLimit))) {
        void reply.header('connection', 'close');
      }
      throw tooLarge(limits.bodyLimit);
    }
    if (request.headers['transfer-encoding'] === undefined) return payload;
    // pipeline, not pipe: a client that goes away fails the limit stream too, instead of leaving it open.
    return pipeline(payload, chunkedLimit(limits), () => undefined);
  });
}

/** Any answer given before the body was read (a 401 from the auth hook, a 404, a GET with a body). */
function drainBeforeAnswering(app: FastifyInstance, base: BodyLimits, routes: RouteBodyLimits): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const raw = request.raw;
    if (raw.complete || raw.readableEnded || reply.getHeader('connection') === 'close') return payload;
    const limits = limitsOf(request, base, routes);
    const declared = Number(request.headers['content-length']);
    if (declared > limits.drainLimit || !(await drain(raw, limits.drainLimit))) {
      void reply.header('connection', 'close');
    }
    return payload;
  });
}

/**
 * `Expect: 100-continue` (curl sends it for bodies over 1 MiB): a body over the limit is refused at
 * once instead of being invited and thrown away. Node writes `100 Continue` by itself only while no
 * one listens for `checkContinue`, so every other request is passed on as node would.
 */
function refuseBeforeContinue(app: FastifyInstance, base: BodyLimits, routes: RouteBodyLimits): void {
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    // Not routed yet: the route's own limit is found from the method and path.
    const { bodyLimit } = withRoute(base, routes.ofPath(req.method, req.url));
    if (Number(req.headers['content-length']) > bodyLimit) {
      const err = tooLarge(bodyLimit);
      const body = JSON.stringify({ error: { code: err.code, message: err.message } });
      res.writeHead(413, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      res.end(body);
      return;
    }
    res.writeContinue();
    app.server.emit('request', req, res);
  });
}

/**
 * `limits` hold for every route, except a route that sets Fastify's own `bodyLimit` option (a batch
 * endpoint that takes many items): that route's limit holds for it alone, here as in Fastify's
 * parser. Register before any route is added, so the routes' limits are seen.
 */
export function registerBodyLimits(app: FastifyInstance, limits: BodyLimits): void {
  const routes = routeBodyLimits(app);
  guardBeforeParsing(app, limits, routes);
  drainBeforeAnswering(app, limits, routes);
  refuseBeforeContinue(app, limits, routes);
}
