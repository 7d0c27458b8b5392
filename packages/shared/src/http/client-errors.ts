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
 * arriving) still get Herald's JSON error body. When the bytes that failed to parse follow a request
 * whose answer is still being worked on (a Content-Length shorter than the body sent), that answer
 * is the client's: it is finished first, then the connection closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (pending && !pending.writableFinished) {
    pending.shouldKeepAlive = false;
    pending.once('finish', () => socket.destroySoon());
    return;
  }
  const herald = clientError(err);
  const status = herald.httpStatus ?? 400;
  const body = JSON.stringify({ error: { code: herald.code, message: herald.message } });
  if (socket.writable && socket.bytesWritten === 0) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}
