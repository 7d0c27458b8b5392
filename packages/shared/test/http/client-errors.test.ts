import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { clientErrorHandler } from '../../src/http/client-errors';

/** A socket as node's HTTP server hands it to `clientError`, with the answer in progress if any. */
function socketWith(pending?: { complete: boolean; headersSent: boolean }) {
  const written: string[] = [];
  const response = Object.assign(new EventEmitter(), {
    writableFinished: false,
    shouldKeepAlive: true,
    headersSent: pending?.headersSent ?? false,
    req: { complete: pending?.complete ?? false },
  });
  const socket = {
    destroyed: false,
    writable: true,
    _httpMessage: pending ? response : null,
    write: (s: string) => written.push(s),
    destroy: jest.fn(),
    destroySoon: jest.fn(),
  };
  return { socket, response, written };
}
const err = (code: string) => Object.assign(new Error(code), { code });
const handle = (s: ReturnType<typeof socketWith>, code: string) =>
  clientErrorHandler(err(code), s.socket as unknown as Socket);

describe('clientErrorHandler', () => {
  it.each([
    ['HPE_INVALID_HEADER_TOKEN', '400 Bad Request', 'bad_request'],
    ['HPE_HEADER_OVERFLOW', '431 Request Header Fields Too Large', 'headers_too_large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', '408 Request Timeout', 'request_timeout'],
  ])('answers %s with a JSON error and closes', (code, statusLine, errorCode) => {
    const s = socketWith();
    handle(s, code);
    expect(s.written[0]).toMatch(new RegExp(`^HTTP/1.1 ${statusLine}\r\n`));
    expect(s.written[0]).toContain(`"code":"${errorCode}"`);
    expect(s.socket.destroySoon).toHaveBeenCalled();
  });

  it('answers 408 and closes when the request in progress never finished arriving', () => {
    const s = socketWith({ complete: false, headersSent: false });
    handle(s, 'ERR_HTTP_REQUEST_TIMEOUT');
    expect(s.written[0]).toMatch(/^HTTP\/1.1 408 /);
    expect(s.socket.destroySoon).toHaveBeenCalled();
  });

  it('writes nothing over an answer that has started, and closes', () => {
    const s = socketWith({ complete: false, headersSent: true });
    handle(s, 'ERR_HTTP_REQUEST_TIMEOUT');
    expect(s.written).toEqual([]);
    expect(s.socket.destroySoon).toHaveBeenCalled();
  });

  it('lets the answer to a whole request finish before closing on leftover bytes', () => {
    const s = socketWith({ complete: true, headersSent: false });
    handle(s, 'HPE_INVALID_METHOD');
    expect(s.written).toEqual([]);
    expect(s.response.shouldKeepAlive).toBe(false);
    expect(s.socket.destroy).not.toHaveBeenCalled();
    s.response.emit('close');
    expect(s.socket.destroy).toHaveBeenCalled();
  });
});
