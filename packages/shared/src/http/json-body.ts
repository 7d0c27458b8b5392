import { isUtf8 } from 'node:buffer';
import { HeraldError } from '../errors';

/**
 * Deepest nesting of arrays and objects a request body may have. Template variables need a few
 * levels; a deeper body is an attack on the recursive code that walks it (a 20,000-deep body used to
 * overflow the stack).
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting in a JSON text, counted without parsing (so without recursion): brackets
 * inside strings do not count. Stops counting at `limit + 1`. Malformed text gives a meaningless
 * but finite answer; JSON.parse reports the syntax error afterwards.
 */
export function jsonDepth(body: Buffer, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return max;
}

/** With the u flag a paired surrogate is one code point; only a lone one is in category Cs. */
// eslint-disable-next-line no-control-regex -- U+0000 is what is being refused
const LONE_SURROGATE_OR_NUL = /[\u0000\p{Cs}]/u;

/**
 * The first place in a parsed body that Herald refuses, as a path and a reason: a string (key or
 * value) with U+0000 (Postgres text refuses it) or a lone UTF-16 surrogate (`"\ud800"`, silently
 * U+FFFD once encoded as UTF-8), or a `__proto__` key (prototype poisoning if anything downstream
 * ever merged the object). The depth is already bounded, so recursion is safe.
 */
export function findUnsafe(value: unknown, path: string[] = []): { path: string[]; reason: string } | null {
  const badString = (s: string) => LONE_SURROGATE_OR_NUL.test(s);
  const stringReason = 'must not contain U+0000 or unpaired UTF-16 surrogates';
  if (typeof value === 'string') return badString(value) ? { path, reason: stringReason } : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafe(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') return { path: [...path, k], reason: 'is not an accepted key' };
      if (badString(k)) return { path: [...path, k], reason: `key ${stringReason}` };
      const found = findUnsafe(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

const invalid = (message: string, field = 'body') => new HeraldError('validation_failed', message, { field });

/**
 * Checks a raw JSON request body and returns it as text for JSON.parse: valid UTF-8 (RFC 8259 §8.1:
 * JSON exchanged between systems is UTF-8; a replacement character would be a silent change of the
 * client's data), a UTF-8 charset if one is named, and a bounded depth.
 */
export function checkJsonBody(body: Buffer, contentType: string | undefined, maxDepth: number): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HeraldError(
      'unsupported_media_type',
      `content-type: charset ${charset} is not supported, send UTF-8 JSON`,
      {
        field: 'content-type',
      },
    );
  }
  if (!isUtf8(body)) throw invalid('body is not valid UTF-8');
  if (jsonDepth(body, maxDepth) > maxDepth) {
    throw invalid(`body is nested deeper than ${maxDepth} levels of arrays and objects`);
  }
  return body.toString('utf8');
}

/** A request body as Herald accepts it: checked bytes, then JSON.parse, then checked strings. */
export function parseJsonBody(body: Buffer, contentType: string | undefined, maxDepth: number): unknown {
  const text = checkJsonBody(body, contentType, maxDepth);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`body is not valid JSON: ${(err as Error).message}`);
  }
  const unsafe = findUnsafe(parsed);
  if (unsafe) {
    const field = unsafe.path.length > 0 ? unsafe.path.join('.') : 'body';
    throw invalid(`${field}: ${unsafe.reason}`, field);
  }
  return parsed;
}
