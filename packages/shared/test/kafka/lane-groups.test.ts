import { laneGroups } from '@herald/shared';

const spec = (p: string) => ({ groupId: `g.${p.toLowerCase()}`, topics: [`t.${p.toLowerCase()}`] });

describe('laneGroups (CONSUMER_LANES)', () => {
  it('gives each group its lane, 0 for critical, in lane order whatever the list order', () => {
    expect(laneGroups(['LOW', 'CRITICAL'], spec)).toEqual([
      { groupId: 'g.critical', topics: ['t.critical'], lane: 0 },
      { groupId: 'g.low', topics: ['t.low'], lane: 3 },
    ]);
  });

  it('keeps the lanes of a replica without critical where they are', () => {
    expect(laneGroups(['HIGH', 'NORMAL', 'LOW'], spec).map((g) => g.lane)).toEqual([1, 2, 3]);
  });
});
