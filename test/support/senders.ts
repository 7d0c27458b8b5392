import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createSandbox } from '@herald/provider-sandbox';
import type { Sandbox } from '@herald/provider-sandbox';
import { HeraldError } from '@herald/shared';
import type { ChannelSender } from '@herald/shared';

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

export interface SandboxedSender {
  readonly sandbox: Sandbox;
  readonly url: string;
  readonly sender: ChannelSender;
}

/**
 * For a provider adapter's tests: an in-process sandbox on loopback for the whole file, the sender
 * built against it, and a clean inbox and no faults before each test.
 */
export function sandboxedSender(build: (url: string) => ChannelSender): SandboxedSender {
  let ctx: SandboxedSender | undefined;
  const get = (): SandboxedSender => {
    if (!ctx) throw new Error('sandboxedSender is used before its beforeAll ran');
    return ctx;
  };
  beforeAll(async () => {
    const sandbox = createSandbox();
    const url = await listenOnLoopback(sandbox.app);
    ctx = { sandbox, url, sender: build(url) };
  });
  afterAll(async () => {
    await ctx?.sender.close();
    await ctx?.sandbox.app.close();
  });
  beforeEach(() => {
    get().sandbox.store.clear();
    get().sandbox.faults.clear();
  });
  return {
    get sandbox() {
      return get().sandbox;
    },
    get url() {
      return get().url;
    },
    get sender() {
      return get().sender;
    },
  };
}
