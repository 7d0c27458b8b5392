import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HeraldError } from '../errors';
import { MAX_JSON_DEPTH, parseJsonBody } from './json-body';

export interface BodyOptions {
  /** Largest accepted body in bytes; a larger one gets 413. */
  bodyLimit: number;
  maxDepth?: number;
  /**
   * How much of a too-large body is read and thrown away after the 413, so that a client that
   * writes its whole body before reading (most do) reads the 413 instead of a broken pipe. Beyond
   * this the connection is closed: an endless upload is not read to its end.
   */
  drainLimit?: number;
}

const DEFAULT_DRAIN_LIMIT = 64 * 1024 * 1024;

const tooLarge = (limit: number) =>
  new HeraldError('payload_too_large', `request body is larger than ${limit} bytes`);

/**
 * Counts a body sent without Content-Length (chunked): past the limit it keeps reading but passes
 * nothing on, and fails only at the end (or at the drain limit), so the 413 reaches the client.
 */
function chunkedLimit(limit: number, drainLimit: number): Transform {
  let received = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback: TransformCallback) {
      received += chunk.length;
      if (received > drainLimit) return callback(tooLarge(limit));
      callback(null, received > limit ? undefined : chunk);
    },
    flush(callback: TransformCallback) {
      callback(received > limit ? tooLarge(limit) : null);
    },
  });
}

function drain(payload: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    payload.once('end', done);
    payload.once('error', done);
    payload.once('close', done);
    payload.resume();
  });
}

/** Rejects what Herald will not parse before reading it: a body too large, or compressed. */
function registerBodyGuards(app: FastifyInstance, limit: number, drainLimit: number): void {
  app.addHook('preParsing', async (request: FastifyRequest, reply, payload) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      throw new HeraldError('unsupported_media_type', `Content-Encoding ${encoding} is not supported`, {
        field: 'content-encoding',
      });
    }
    const declared = Number(request.headers['content-length']);
    if (declared > limit) {
      // Read to its end and thrown away before answering, so a client that writes its whole body
      // before reading (most do, and node closes the connection after answering a client that sent
      // Connection: close) reads the 413 instead of a broken pipe. Beyond the drain limit: closed.
      if (declared <= drainLimit) await drain(payload);
      else void reply.header('connection', 'close');
      throw tooLarge(limit);
    }
    if (request.headers['transfer-encoding'] !== undefined)
      return payload.pipe(chunkedLimit(limit, drainLimit));
    return payload;
  });
}

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

function clientError(err: NodeJS.ErrnoException): HeraldError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new HeraldError('request_timeout', 'the request was not received in time');
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return new HeraldError('headers_too_large', 'request headers are larger than 16 KiB');
  return new HeraldError('bad_request', 'malformed HTTP request (request line, header name or header value)');
}

/**
 * Requests node's HTTP parser refuses before Fastify sees them (a CR or LF inside a header, a bad
 * request line, headers over 16 KiB) still get Herald's JSON error body.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const herald = clientError(err);
  const status = herald.httpStatus ?? 400;
  const body = JSON.stringify({ error: { code: herald.code, message: herald.message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Body handling every Herald HTTP server shares. */
export function registerBodyHandling(app: FastifyInstance, opts: BodyOptions): void {
  registerBodyGuards(app, opts.bodyLimit, opts.drainLimit ?? DEFAULT_DRAIN_LIMIT);
  registerJsonParser(app, opts.bodyLimit, opts.maxDepth ?? MAX_JSON_DEPTH);
}
