import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { HeraldError } from '@herald/shared';

/** The HeraldError a send failed with; fails the test if it succeeded or threw something else. */
export async function failureOf(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HeraldError) return err;
    throw err;
  }
  throw new Error('expected the send to fail');
}

/** A loopback port nothing listens on right now (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** Starts an in-process provider sandbox on a free loopback port; resolves its base URL. */
export async function listenOnLoopback(app: {
  listen(opts: { port: number; host: string }): Promise<unknown>;
  server: { address(): unknown };
}): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
