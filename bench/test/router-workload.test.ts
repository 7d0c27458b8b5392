import { drawPolicies, planRouterRequests } from '../src/router-workload';
import { makeUsers, seededRandom } from '../src/workload';

describe('the router workload', () => {
  const users = makeUsers(1000, seededRandom(1));

  it('draws policies for shares of the users', () => {
    const p = drawPolicies(users, seededRandom(2));
    expect(p.optedOut.length).toBeGreaterThan(120);
    expect(p.optedOut.length).toBeLessThan(280);
    expect(p.quiet.length).toBeGreaterThan(50);
    expect(p.quiet.length).toBeLessThan(150);
    expect(p.unsubscribed.length).toBeLessThan(50);
  });

  it('plans requests mostly without channels, some tagged, some repeating an earlier dedup key for its user', () => {
    let n = 0;
    const requests = planRouterRequests({
      count: 2000,
      users,
      rand: seededRandom(3),
      tag: 'ABCD',
      newId: () => `id-${n++}`,
      now: 0,
    });
    expect(requests).toHaveLength(2000);
    expect(new Set(requests.map((r) => r.id)).size).toBe(2000);
    const without = requests.filter((r) => r.channels === null).length;
    expect(without / 2000).toBeGreaterThan(0.6);
    expect(requests.filter((r) => r.tags?.includes('eu')).length).toBeGreaterThan(250);
    const byKey = new Map<string, Set<string>>();
    for (const r of requests)
      byKey.set(r.dedupKey ?? '', (byKey.get(r.dedupKey ?? '') ?? new Set()).add(r.userId));
    const repeated = requests.length - byKey.size;
    expect(repeated).toBeGreaterThan(40);
    // A repeated key always goes to the user it was first sent to.
    expect([...byKey.values()].every((u) => u.size === 1)).toBe(true);
  });
});
