import { canonicalJson, dedupKeyOf, dedupWindowMs } from '../../src/domain/dedup';

const base = { userId: 'ada', dedupKey: null, templateId: 'welcome', category: 'account' };

describe('dedupKeyOf', () => {
  it("is the producer's key when there is one, per user", () => {
    const a = dedupKeyOf({ ...base, dedupKey: 'order-42' }, { x: 1 });
    expect(dedupKeyOf({ ...base, dedupKey: 'order-42' }, { x: 2 })).toBe(a);
    expect(dedupKeyOf({ ...base, dedupKey: 'order-42', templateId: 'other' }, {})).toBe(a);
    expect(dedupKeyOf({ ...base, dedupKey: 'order-43' }, { x: 1 })).not.toBe(a);
    expect(dedupKeyOf({ ...base, userId: 'bob', dedupKey: 'order-42' }, { x: 1 })).not.toBe(a);
  });

  it('is a hash of user, template and data otherwise, whatever the order of the keys', () => {
    const a = dedupKeyOf(base, { name: 'Ada', cart: { items: [1, 2], total: 3 } });
    expect(dedupKeyOf(base, { cart: { total: 3, items: [1, 2] }, name: 'Ada' })).toBe(a);
    expect(dedupKeyOf(base, { name: 'Ada', cart: { items: [2, 1], total: 3 } })).not.toBe(a);
    expect(
      dedupKeyOf({ ...base, templateId: 'other' }, { name: 'Ada', cart: { items: [1, 2], total: 3 } }),
    ).not.toBe(a);
  });

  it('uses the category when there is no template, and never mixes a key with a content hash', () => {
    const byCategory = dedupKeyOf({ ...base, templateId: null }, {});
    expect(dedupKeyOf({ ...base, templateId: null, category: 'billing' }, {})).not.toBe(byCategory);
    expect(dedupKeyOf({ ...base, templateId: 'category:account' }, {})).not.toBe(byCategory);
  });

  it('keeps the user in a hash tag (one Redis cluster slot per user) and nothing readable else', () => {
    const key = dedupKeyOf({ ...base, dedupKey: 'ada@example.com' }, {});
    expect(key).toMatch(/^dedup:\{ada\}:[A-Za-z0-9_-]{43}$/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, e: undefined })).toBe(
      '{"a":{"c":"x","d":[true,null]},"b":1}',
    );
  });
});

describe('dedupWindowMs', () => {
  it("takes the request's window, 0 included, or the default", () => {
    expect(dedupWindowMs({ dedupWindowSeconds: 60 }, 3_600_000)).toBe(60_000);
    expect(dedupWindowMs({ dedupWindowSeconds: 0 }, 3_600_000)).toBe(0);
    expect(dedupWindowMs({ dedupWindowSeconds: null }, 3_600_000)).toBe(3_600_000);
    expect(dedupWindowMs({}, 3_600_000)).toBe(3_600_000);
  });
});
