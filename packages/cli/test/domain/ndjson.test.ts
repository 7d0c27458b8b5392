import { emptyTally, formatTally, tallyChunk } from '../../src/domain/batch';
import { chunks, parseNdjson } from '../../src/domain/ndjson';

describe('parseNdjson', () => {
  it('reads one object per line with its line number, skipping blank lines and taking CRLF', () => {
    const { items, problems } = parseNdjson('{"userId":"a"}\r\n\n  \n{"userId":"b"}\n');
    expect(problems).toEqual([]);
    expect(items).toEqual([
      { line: 1, value: { userId: 'a' } },
      { line: 4, value: { userId: 'b' } },
    ]);
  });

  it('reports every bad line by number', () => {
    const { items, problems } = parseNdjson('{"userId":"a"}\n{"userId":\n[1]\n"x"\nnull\n{"ok":true}');
    expect(items.map((i) => i.line)).toEqual([1, 6]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(problems[0]?.message).toMatch(/^not valid JSON/);
    expect(problems[1]?.message).toBe('expected a JSON object (one notification per line)');
  });
});

describe('chunks', () => {
  it('cuts 2,500 items into 1000, 1000, 500 in order', () => {
    const items = Array.from({ length: 2500 }, (_, i) => i);
    const parts = chunks(items, 1000);
    expect(parts.map((p) => p.length)).toEqual([1000, 1000, 500]);
    expect(parts.flat()).toEqual(items);
    expect(chunks([], 10)).toEqual([]);
    expect(() => chunks(items, 0)).toThrow(/positive integer/);
  });
});

describe('batch tally', () => {
  it('ties each result to its line and summarises rejections by reason', () => {
    const tally = emptyTally();
    const chunk = [
      { line: 3, value: {} },
      { line: 4, value: {} },
      { line: 7, value: {} },
    ];
    tallyChunk(tally, chunk, [
      { index: 0, status: 'accepted', id: 'id-0' },
      {
        index: 1,
        status: 'rejected',
        error: {
          code: 'validation_failed',
          message: 'notifications[1].userId: required',
          field: 'notifications[1].userId',
        },
      },
      {
        index: 2,
        status: 'rejected',
        error: { code: 'validation_failed', message: 'notifications[2].colour: unknown field' },
      },
    ]);
    expect(tally.accepted).toEqual([{ line: 3, id: 'id-0' }]);
    expect(tally.rejected).toEqual([
      { line: 4, code: 'validation_failed', message: 'userId: required' },
      { line: 7, code: 'validation_failed', message: 'colour: unknown field' },
    ]);
    expect(formatTally(tally, 3)).toBe(
      [
        '1 accepted, 2 rejected (of 3)',
        'rejected by reason: validation_failed 2',
        '  line 4: validation_failed: userId: required',
        '  line 7: validation_failed: colour: unknown field',
      ].join('\n'),
    );
    expect(formatTally(tally, 3, 1).split('\n').at(-1)).toBe('  … and 1 more (--json lists every one)');
  });
});
