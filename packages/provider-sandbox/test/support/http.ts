import { createSandbox } from '../../src/app';
import type { Sandbox, SandboxOptions } from '../../src/app';

/** A request to the sandbox, made with `app.inject()` (no socket). */
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

function toHeaders(raw: Record<string, string | string[] | number | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      headers.append(name, String(v));
    }
  }
  return headers;
}

export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = createSandbox(opts);
  await sandbox.app.ready();
  const call = async ({ method, url, headers = {}, payload }: CallOptions): Promise<CallResult> => {
    const isJson = payload !== undefined && typeof payload !== 'string';
    const res = await sandbox.app.inject({
      method,
      url,
      headers: isJson ? { 'content-type': 'application/json', ...headers } : headers,
      payload: isJson ? JSON.stringify(payload) : payload,
    });
    const body = res.body;
    return {
      statusCode: res.statusCode,
      headers: toHeaders(res.headers),
      body,
      json: <T>() => JSON.parse(body) as T,
    };
  };
  return { ...sandbox, call, close: () => sandbox.app.close() };
}

export const bearer = { authorization: 'Bearer test-key' };

export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
