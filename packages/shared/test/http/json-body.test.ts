import { HeraldError } from '../../src/errors';
import { MAX_JSON_DEPTH, findUnsafe, jsonDepth, parseJsonBody } from '../../src/http/json-body';

const buf = (s: string) => Buffer.from(s, 'utf8');
const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);

function refusal(body: Buffer | string, contentType = 'application/json'): HeraldError {
  try {
    parseJsonBody(Buffer.isBuffer(body) ? body : buf(body), contentType, MAX_JSON_DEPTH);
  } catch (err) {
    if (err instanceof HeraldError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['[[]]', 2],
    ['{"a":{"b":[1,{"c":2}]}}', 4],
    ['[[],[],[[]]]', 3],
    ['"[[[[["', 0],
    ['{"a":"}}}{{{","b":{}}', 2],
    ['["\\"[[[", []]', 2],
    ['["\\\\", [[]]]', 3],
  ])('%s is %i deep', (text, depth) => {
    expect(jsonDepth(buf(text), 100)).toBe(depth);
  });

  it('stops counting just past the limit, however deep the text', () => {
    expect(jsonDepth(buf(nested(200_000)), 32)).toBe(33);
  });

  it('agrees with JSON.parse on random nestings', () => {
    for (let i = 0; i < 200; i++) {
      const depth = Math.floor(Math.random() * 40);
      let text = '1';
      for (let d = 0; d < depth; d++) text = Math.random() < 0.5 ? `[${text},"]["]` : `{"k[":${text}}`;
      expect(JSON.parse(text)).toBeDefined();
      expect(jsonDepth(buf(text), 100)).toBe(depth);
    }
  });
});

describe('findUnsafe', () => {
  it('passes ordinary JSON, emoji and right-to-left text', () => {
    expect(findUnsafe({ a: ['x', 1, null, { b: 'שלום 😀' }], c: true })).toBeNull();
  });

  it.each([
    [{ a: 'x\u0000' }, ['a']],
    [{ a: ['ok', '\ud800'] }, ['a', '1']],
    [{ a: { 'k\udc00': 1 } }, ['a', 'k\udc00']],
    ['\u0000', []],
    [JSON.parse('{"x":{"__proto__":{"p":1}}}'), ['x', '__proto__']],
  ])('refuses %j at %j', (value, path) => {
    expect(findUnsafe(value)?.path).toEqual(path);
  });
});

describe('parseJsonBody', () => {
  it('parses a JSON object', () => {
    expect(parseJsonBody(buf('{"userId":"u","data":{"n":1}}'), 'application/json', 32)).toEqual({
      userId: 'u',
      data: { n: 1 },
    });
  });

  it('takes a UTF-8 charset, in any spelling', () => {
    expect(parseJsonBody(buf('{}'), 'application/json; charset=UTF-8', 32)).toEqual({});
    expect(parseJsonBody(buf('{}'), 'application/json;charset="utf8"', 32)).toEqual({});
  });

  it.each([
    ['invalid UTF-8', Buffer.from([0x22, 0xff, 0x22]), 'body is not valid UTF-8'],
    ['an overlong encoding', Buffer.from([0x22, 0xc0, 0xaf, 0x22]), 'body is not valid UTF-8'],
    ['too deep', buf(nested(33)), 'nested deeper than 32'],
    ['20,000 deep', buf(nested(20_000)), 'nested deeper than 32'],
    ['a syntax error', buf('{"a":}'), 'body is not valid JSON'],
    ['a byte-order mark', buf('\uFEFF{}'), 'body is not valid JSON'],
  ])('refuses %s with a 400 about the body', (_name, body, message) => {
    const err = refusal(body);
    expect(err).toMatchObject({ code: 'validation_failed', httpStatus: 400, field: 'body' });
    expect(err.message).toContain(message);
  });

  it('refuses a charset other than UTF-8 with 415', () => {
    expect(refusal('{}', 'application/json; charset=iso-8859-1')).toMatchObject({
      code: 'unsupported_media_type',
      httpStatus: 415,
      field: 'content-type',
    });
  });

  it('names the field of an unsafe string', () => {
    const err = refusal('{"data":{"name":"\\ud83d"}}');
    expect(err).toMatchObject({ code: 'validation_failed', field: 'data.name' });
    expect(err.message).toMatch(/^data\.name: /);
  });
});
