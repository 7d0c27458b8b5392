import { batchIds } from '../../src/load/ingest';

describe('batchIds', () => {
  it("finds the per-item results, whatever the field's name", () => {
    expect(
      batchIds({ results: [{ id: 'a', status: 'accepted' }, { error: { field: 'userId' } }] }, 2),
    ).toEqual(['a', undefined]);
    expect(batchIds({ count: 2, items: [{ id: 'a' }, { id: 'b' }] }, 2)).toEqual(['a', 'b']);
    expect(batchIds([{ id: 'a' }], 1)).toEqual(['a']);
  });

  it('is null when no array has one entry per item', () => {
    expect(batchIds({ results: [{ id: 'a' }] }, 2)).toBeNull();
    expect(batchIds('accepted', 1)).toBeNull();
    expect(batchIds(null, 1)).toBeNull();
  });
});
