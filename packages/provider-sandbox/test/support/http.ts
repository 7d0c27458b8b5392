import type { AddressInfo } from 'node:net';
import { createSandbox } from '../../src/app';
import type { Sandbox, SandboxOptions } from '../../src/app';

/**
 * `app.inject()`-shaped calls over a loopback socket. Jest (before Node 24.9) cannot require the
 * ESM-only `cookie@2` that fastify's light-my-request loads, so `inject()` fails under the root
 * jest config; once that config transforms `cookie`, this helper can become `app.inject(opts)`.
 */
export interface CallOptions {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is (set content-type yourself). */
  payload?: unknown;
}

export interface CallResult {
  statusCode: number;
  headers: Headers;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface TestSandbox extends Sandbox {
  call(opts: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = createSandbox(opts);
  await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = sandbox.app.server.address() as AddressInfo;
  const call = async ({ method, url, headers = {}, payload }: CallOptions): Promise<CallResult> => {
    const isJson = payload !== undefined && typeof payload !== 'string';
    const res = await fetch(`http://127.0.0.1:${port}${url}`, {
      method,
      headers: isJson ? { 'content-type': 'application/json', ...headers } : headers,
      body: isJson ? JSON.stringify(payload) : payload,
    });
    const body = await res.text();
    return { statusCode: res.status, headers: res.headers, body, json: <T>() => JSON.parse(body) as T };
  };
  return { ...sandbox, call, close: () => sandbox.app.close() };
}

export const bearer = { authorization: 'Bearer test-key' };

export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
