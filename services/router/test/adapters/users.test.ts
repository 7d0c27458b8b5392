import { cachedUserDirectory } from '../../src/adapters/users';
import type { UserDirectory } from '../../src/adapters/users';
import { NO_POLICY } from '../../src/domain/decide';
import type { StoredUser } from '../../src/domain/decide';

const user = (email: string): StoredUser => ({
  email,
  phone: null,
  locale: 'en',
  pushTokens: [],
  policy: NO_POLICY,
});

function fakeDirectory(known: Record<string, StoredUser>) {
  const findMany = jest.fn((ids: string[]) =>
    Promise.resolve(new Map(ids.map((id) => [id, known[id] ?? null] as const))),
  );
  const dir: UserDirectory = {
    findMany,
    find: () => Promise.reject(new Error('not used')),
    forget: () => undefined,
  };
  return { dir, findMany };
}

describe('cachedUserDirectory', () => {
  it('asks only for the users it has not seen within the TTL, unknown ones included', async () => {
    let now = 0;
    const { dir, findMany } = fakeDirectory({ a: user('a@x.test'), b: user('b@x.test') });
    const cached = cachedUserDirectory(dir, { ttlMs: 5000, max: 100, now: () => now });
    const first = await cached.findMany(['a', 'ghost']);
    expect(first.get('a')?.email).toBe('a@x.test');
    expect(first.get('ghost')).toBeNull();
    await cached.findMany(['a', 'b', 'ghost']);
    expect(findMany.mock.calls).toEqual([[['a', 'ghost']], [['b']]]);
    now = 5000;
    expect((await cached.find('a'))?.email).toBe('a@x.test');
    expect(findMany.mock.calls.at(-1)).toEqual([['a']]);
  });

  it('keeps at most `max` users, forgetting the oldest first', async () => {
    const { dir, findMany } = fakeDirectory({});
    const cached = cachedUserDirectory(dir, { ttlMs: 60_000, max: 2 });
    await cached.findMany(['a', 'b', 'c']);
    await cached.findMany(['b', 'c']);
    expect(findMany).toHaveBeenCalledTimes(1);
    await cached.findMany(['a']);
    expect(findMany).toHaveBeenCalledTimes(2);
  });

  it('forgets a user on request, and keeps nothing read while a forget came in', async () => {
    const { dir, findMany } = fakeDirectory({ a: user('a@x.test') });
    const cached = cachedUserDirectory(dir, { ttlMs: 60_000, max: 100 });
    await cached.findMany(['a']);
    cached.forget('a');
    await cached.findMany(['a']);
    expect(findMany).toHaveBeenCalledTimes(2);
    // A read in flight when a change is announced: its result is used but not kept.
    let release: () => void = () => undefined;
    let reads = 0;
    const slow: UserDirectory = {
      findMany: (ids) => {
        reads++;
        return new Promise((r) => (release = () => r(new Map(ids.map((id) => [id, user('old@x.test')])))));
      },
      find: () => Promise.reject(new Error('not used')),
      forget: () => undefined,
    };
    const racing = cachedUserDirectory(slow, { ttlMs: 60_000, max: 100 });
    const inFlight = racing.findMany(['b']);
    racing.forget('b');
    release();
    expect((await inFlight).get('b')?.email).toBe('old@x.test');
    // Asked again: read again, since what the racing read returned was not kept.
    const next = racing.findMany(['b']);
    release();
    await next;
    expect(reads).toBe(2);
  });
});
