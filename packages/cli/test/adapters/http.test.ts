import { createApi } from '../../src/adapters/http';
import { CliError, TransportError } from '../../src/domain/errors';

const target = { name: 'ingest' as const, baseUrl: 'http://ingest.test:8080/base', key: 'k', setBy: '--url' };

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('createApi', () => {
  it('sends JSON with the key to a path under the base URL and parses the answer', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const api = createApi(target, (url, init) => {
      seen.push({ url: url instanceof Request ? url.url : url.toString(), init: init ?? {} });
      return Promise.resolve(new Response('{"id":"n1"}', { status: 202 }));
    });
    const res = await api.call<{ id: string }>('POST', '/v1/notifications', {
      what: 'sending',
      scope: 'send',
      body: { userId: 'ada' },
    });
    expect(res.body).toEqual({ id: 'n1' });
    expect(seen[0]?.url).toBe('http://ingest.test:8080/base/v1/notifications');
    expect(seen[0]?.init.headers).toMatchObject({ authorization: 'Bearer k' });
  });

  it('names the service and URL when the body stops coming (a read timeout), as a transport error', async () => {
    const api = createApi(target, () => {
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"id":'));
          controller.error(
            Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
          );
        },
      });
      return Promise.resolve(new Response(body, { status: 202 }));
    });
    const err = await failureOf(api.call('GET', '/v1/x', { what: 'reading x', scope: 'send' }));
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toBe(
      'reading x: ingest at http://ingest.test:8080/base answered 202 but its body did not arrive (no answer in time).',
    );
  });

  it('makes an unreachable service a transport error, and a refusal a plain failure', async () => {
    const refused = createApi(target, () =>
      Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })),
    );
    const down = await failureOf(refused.call('GET', '/v1/x', { what: 'reading x', scope: 'send' }));
    expect(down).toBeInstanceOf(TransportError);
    expect(down.message).toMatch(/^reading x: cannot reach ingest at .* \(ECONNREFUSED\)/);

    const forbidden = createApi(target, () =>
      Promise.resolve(new Response('{"error":{"code":"forbidden"}}', { status: 403 })),
    );
    const no = await failureOf(forbidden.call('GET', '/v1/x', { what: 'reading x', scope: 'admin' }));
    expect(no).toBeInstanceOf(CliError);
    expect(no).not.toBeInstanceOf(TransportError);
  });
});
