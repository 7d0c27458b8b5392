/** What a corpus case is, the answers it may expect, and hostile strings cases share. */
export type Target = 'ingest' | 'dlq';
/** Which API key the case sends: the one its endpoint needs, another one, or a raw header. */
export type Key = 'default' | 'send' | 'admin' | 'revoked' | 'none' | { authorization: string };

export interface Expected {
  status: number;
  code: string;
  field?: string;
}

export interface BadCase {
  name: string;
  target: Target;
  method: string;
  path: string;
  key?: Key;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  expect: Expected;
}

export const bad = (field: string): Expected => ({ status: 400, code: 'validation_failed', field });
export const unauthorized: Expected = { status: 401, code: 'unauthorized' };
export const forbidden: Expected = { status: 403, code: 'forbidden' };
export const notFound: Expected = { status: 404, code: 'not_found' };
export const tooLarge: Expected = { status: 413, code: 'payload_too_large' };
export const mediaType: Expected = { status: 415, code: 'unsupported_media_type', field: 'content-type' };

export const SQL = "x'; DROP TABLE users; --";
export const TEMPLATE = '{{constructor.constructor("return process")()}}';
export const BIDI = 'abc\u202Egnp.exe';

/** Nested arrays and objects, `depth` levels deep, as JSON text. */
export const nested = (depth: number, open = '{"a":', close = '}', leaf = '1') =>
  open.repeat(depth) + leaf + close.repeat(depth);
