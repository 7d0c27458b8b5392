import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, pipeline } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HeraldError } from '../errors';

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

/** Before parsing: a body too large is refused (after draining it), a compressed one too. */
function guardBeforeParsing(app: FastifyInstance, limits: BodyLimits): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    if (!hasBody(request)) return payload;
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      throw new HeraldError('unsupported_media_type', `Content-Encoding ${encoding} is not supported`, {
        field: 'content-encoding',
      });
    }
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
function drainBeforeAnswering(app: FastifyInstance, limits: BodyLimits): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const raw = request.raw;
    if (raw.complete || raw.readableEnded || reply.getHeader('connection') === 'close') return payload;
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
function refuseBeforeContinue(app: FastifyInstance, limits: BodyLimits): void {
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length']) > limits.bodyLimit) {
      const err = tooLarge(limits.bodyLimit);
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

export function registerBodyLimits(app: FastifyInstance, limits: BodyLimits): void {
  guardBeforeParsing(app, limits);
  drainBeforeAnswering(app, limits);
  refuseBeforeContinue(app, limits);
}
