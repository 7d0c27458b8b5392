import { STATUS_CODES } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HeraldError } from '../errors';

function clientError(err: NodeJS.ErrnoException): HeraldError {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new HeraldError('request_timeout', 'the request was not received in time');
  if (err.code === 'HPE_HEADER_OVERFLOW')
    return new HeraldError('headers_too_large', 'request headers are larger than 16 KiB');
  return new HeraldError('bad_request', 'malformed HTTP request (request line, header name or header value)');
}

/**
 * Fastify's `clientErrorHandler`: requests node's HTTP parser refuses before Fastify sees them (a CR
 * or LF inside a header, a bad request line, headers over 16 KiB, a request that never finished
 * arriving) still get Herald's JSON error body, as node's own handler would give its plain one: only
 * while no answer has started on the connection, which is then closed.
 *
 * One case differs from node's: bytes that fail to parse after a request that arrived whole (its
 * Content-Length was shorter than what was sent). That request's answer is still being worked on and
 * is the client's, so it is finished first, then the connection closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (pending && !pending.writableFinished && pending.req.complete) {
    pending.shouldKeepAlive = false;
    pending.once('close', () => socket.destroy());
    return;
  }
  const herald = clientError(err);
  const status = herald.httpStatus ?? 400;
  const body = JSON.stringify({ error: { code: herald.code, message: herald.message } });
  if (socket.writable && !pending?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}
