import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString(), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export function parseRawResponse(bytes: Buffer): RawResponse {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0)
    throw new Error(`no HTTP response head in ${bytes.length} bytes: ${bytes.toString().slice(0, 200)}`);
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) throw new Error(`bad status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = bytes.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined)
    body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body: body.toString('utf8') };
}

/**
 * Writes exactly these bytes to 127.0.0.1:port and reads the response until the server closes the
 * connection. For what fetch refuses to send (CR/LF in a header, invalid UTF-8, lying lengths) and
 * to be the strict client most are: the whole request must be written, so a server that closes
 * the connection before reading all of it fails this with EPIPE or ECONNRESET, even though node's
 * own socket may already have read the response.
 */
export function rawHttp(port: number, request: Buffer, timeoutMs = 30_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let written = false;
    let ended = false;
    const socket = connect(port, '127.0.0.1');
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs);
    const settle = () => {
      if (!written || !ended) return;
      clearTimeout(timer);
      try {
        resolve(parseRawResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', fail);
    socket.on('end', () => {
      ended = true;
      socket.end();
      settle();
    });
    socket.write(request, (err) => {
      if (err)
        return fail(new Error(`the server closed the connection before reading the request: ${err.message}`));
      written = true;
      settle();
    });
  });
}

/** An HTTP/1.1 request as bytes; `Connection: close` so the response ends with the connection. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Buffer {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const all: Record<string, string> = { host: '127.0.0.1', connection: 'close', ...headers };
  if (payload && all['transfer-encoding'] === undefined && all['content-length'] === undefined) {
    all['content-length'] = String(payload.length);
  }
  const head = Object.entries(all)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`${method} ${path} HTTP/1.1\r\n${head}\r\n`, 'latin1'),
    payload ?? Buffer.alloc(0),
  ]);
}
