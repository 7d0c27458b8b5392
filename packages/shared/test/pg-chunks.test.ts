import { valuesList, writeChunked } from '../src/pg';

describe('valuesList', () => {
  it('numbers the parameters of each row after those already taken', () => {
    const params: unknown[] = ['taken'];
    expect(
      valuesList(
        [
          [1, 'a'],
          [2, null],
        ],
        params,
      ),
    ).toBe('($2, $3), ($4, $5)');
    expect(params).toEqual(['taken', 1, 'a', 2, null]);
  });
});

describe('writeChunked', () => {
  const refusesNul = (written: string[][]) => async (chunk: string[]) => {
    written.push(chunk);
    if (chunk.some((s) => s.includes('\0'))) throw new Error('unsupported Unicode escape sequence');
    return Promise.resolve();
  };

  it('writes one statement per chunk when nothing is refused', async () => {
    const written: string[][] = [];
    expect(await writeChunked(['a', 'b', 'c', 'd', 'e'], 2, refusesNul(written))).toEqual([]);
    expect(written).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('writes a refused chunk again item by item and returns only the items still refused', async () => {
    const written: string[][] = [];
    const refused = await writeChunked(['a', 'b\0', 'c'], 3, refusesNul(written));
    expect(refused).toEqual([{ item: 'b\0', reason: 'unsupported Unicode escape sequence' }]);
    expect(written).toEqual([['a', 'b\0', 'c'], ['a'], ['b\0'], ['c']]);
  });

  it('throws an outage instead of refusing items for it', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    await expect(writeChunked(['a'], 10, () => Promise.reject(down))).rejects.toBe(down);
  });
});
