import { DEFAULT_CAP_POLICIES } from '../../src/domain/caps';
import { NO_CONSENT_LIMITS, optOutKey, suppressionKey } from '../../src/domain/consent';
import { NO_POLICY, recipientFor } from '../../src/domain/decide';
import type { StoredUser, UserPolicy } from '../../src/domain/decide';
import { DEFAULT_CHANNELS } from '../../src/domain/rules';
import { plan, settle } from '../../src/domain/route';
import type { RoutableRequest, RoutingPolicy } from '../../src/domain/route';

const HOUR = 3_600_000;
const now = Date.parse('2026-06-10T12:00:00Z'); // 14:00 in Paris
const request = (over: Partial<RoutableRequest> = {}): RoutableRequest => ({
  id: '00000000-0000-4000-8000-000000000001',
  userId: 'ada',
  category: 'marketing',
  priority: 'NORMAL',
  templateId: 'welcome',
  channels: null,
  data: '{}',
  dedupKey: null,
  createdAt: now,
  sendAt: null,
  expiresAt: null,
  to: null,
  locale: null,
  ...over,
});
const user = (policy: Partial<UserPolicy> = {}, over: Partial<StoredUser> = {}): StoredUser => ({
  email: 'ada@example.com',
  phone: '+14155550100',
  locale: 'en',
  pushTokens: ['t1'],
  policy: { ...NO_POLICY, ...policy },
  ...over,
});
const policy: RoutingPolicy = {
  categories: new Map([['security', { required: true, caps: [] }]]),
  rules: [],
  defaults: DEFAULT_CHANNELS,
  caps: [{ channel: 'SMS', limit: 3, windowMs: HOUR }],
  capPolicies: DEFAULT_CAP_POLICIES,
  dedupWindowMs: HOUR,
};
const planFor = (r: RoutableRequest, u: StoredUser | null, consent = NO_CONSENT_LIMITS, p = policy) =>
  plan(r, {}, recipientFor(r, u), u, consent, p, now);
const nightOwl: Partial<UserPolicy> = {
  quietHours: { timezone: 'Europe/Paris', rules: [{ days: ['wed'], start: '13:00', end: '18:00' }] },
};

describe('plan', () => {
  it('delivers on the default channels of the priority the user can be reached on, asking for dedup and caps', () => {
    const p = planFor(request(), user());
    expect(p.decisions).toEqual([
      { channel: 'EMAIL', kind: 'deliver', addresses: ['ada@example.com'] },
      { channel: 'SMS', kind: 'deliver', addresses: ['+14155550100'] },
      { channel: 'PUSH', kind: 'deliver', addresses: ['t1'] },
    ]);
    expect(p.quietUntil).toBeNull();
    expect(p.ask.dedup).toEqual({ key: expect.stringMatching(/^dedup:\{ada\}:/) as string, windowMs: HOUR });
    expect(p.ask.channels).toEqual([
      { channel: 'EMAIL', counters: [] },
      { channel: 'SMS', counters: [{ key: `cap:{ada}:SMS:${HOUR}`, limit: 3, windowMs: HOUR }] },
      { channel: 'PUSH', counters: [] },
    ]);
  });

  it('follows the rules when the request names no channels, and names the rules that chose', () => {
    const rules = [
      {
        id: 'mkt-email',
        position: 1,
        enabled: true,
        match: { categories: ['marketing'] },
        channels: ['EMAIL' as const],
        stopProcessing: true,
      },
    ];
    const p = planFor(request(), user(), NO_CONSENT_LIMITS, { ...policy, rules });
    expect(p.decisions.map((d) => d.channel)).toEqual(['EMAIL']);
    expect(p.matchedRules).toEqual(['mkt-email']);
  });

  it("leaves out what rules chose but the user can't be reached on, and keeps what the request asked for", () => {
    const emailOnly = user({}, { phone: null, pushTokens: [] });
    expect(planFor(request(), emailOnly).decisions.map((d) => d.channel)).toEqual(['EMAIL']);
    expect(planFor(request({ channels: ['SMS', 'EMAIL'] }), emailOnly).decisions).toEqual([
      { channel: 'SMS', kind: 'suppressed', reason: 'no_address' },
      { channel: 'EMAIL', kind: 'deliver', addresses: ['ada@example.com'] },
    ]);
  });

  it('suppresses per consent: opt-outs and unsubscribe for optional categories, dead addresses always', () => {
    const consent = {
      optOuts: new Set([optOutKey('marketing', 'EMAIL')]),
      unsubscribed: false,
      suppressed: new Set([suppressionKey('PUSH', 't1')]),
    };
    expect(planFor(request(), user(), consent).decisions).toEqual([
      { channel: 'EMAIL', kind: 'suppressed', reason: 'opted_out' },
      { channel: 'SMS', kind: 'deliver', addresses: ['+14155550100'] },
      { channel: 'PUSH', kind: 'suppressed', reason: 'address_suppressed' },
    ]);
    const required = planFor(request({ category: 'security' }), user(), { ...consent, unsubscribed: true });
    expect(required.decisions.map((d) => d.kind)).toEqual(['deliver', 'deliver', 'suppressed']);
  });

  it('holds a non-critical request in quiet hours and asks for no caps then; critical passes', () => {
    const quiet = planFor(request(), user(nightOwl));
    expect(quiet.quietUntil).toBe(Date.parse('2026-06-10T16:00:00Z'));
    expect(quiet.ask.channels).toEqual([]);
    expect(quiet.ask.dedup).not.toBeNull();
    const critical = planFor(request({ priority: 'CRITICAL' }), user(nightOwl));
    expect(critical.quietUntil).toBeNull();
    expect(critical.ask.channels).toEqual([]);
  });

  it('asks for no dedup with a window of 0, and suppresses every channel of an unknown user', () => {
    expect(planFor(request({ dedupWindowSeconds: 0 }), user()).ask.dedup).toBeNull();
    expect(planFor(request({ channels: ['EMAIL'] }), null).decisions).toEqual([
      { channel: 'EMAIL', kind: 'suppressed', reason: 'unknown_user' },
    ]);
  });
});

describe('settle', () => {
  const first = { dedup: 'first' as const, caps: new Map() };

  it('suppresses every channel of a duplicate', () => {
    const p = planFor(request(), user());
    expect(settle(request(), p, { dedup: 'duplicate', caps: new Map() }, DEFAULT_CAP_POLICIES)).toEqual({
      kind: 'route',
      decisions: ['EMAIL', 'SMS', 'PUSH'].map((channel) => ({
        channel,
        kind: 'suppressed',
        reason: 'duplicate',
      })),
    });
  });

  it('routes a notification seen again as the first time', () => {
    const p = planFor(request(), user());
    expect(settle(request(), p, { dedup: 'again', caps: new Map() }, DEFAULT_CAP_POLICIES)).toEqual({
      kind: 'route',
      decisions: p.decisions,
    });
  });

  it('defers to the end of quiet hours, or expires when that is too late', () => {
    const p = planFor(request(), user(nightOwl));
    const end = Date.parse('2026-06-10T16:00:00Z');
    expect(settle(request(), p, first, DEFAULT_CAP_POLICIES)).toEqual({ kind: 'quiet', until: end });
    expect(settle(request({ expiresAt: end }), p, first, DEFAULT_CAP_POLICIES)).toEqual({ kind: 'expired' });
    expect(settle(request({ expiresAt: end + 1 }), p, first, DEFAULT_CAP_POLICIES).kind).toBe('quiet');
  });

  it('over a cap, defers or suppresses by the priority policy, and suppresses what would expire first', () => {
    const full = {
      dedup: 'first' as const,
      caps: new Map([['SMS' as const, { ok: false as const, freeAt: now + HOUR }]]),
    };
    const normal = settle(request(), planFor(request(), user()), full, DEFAULT_CAP_POLICIES);
    expect(normal.kind === 'route' && normal.decisions[1]).toEqual({
      channel: 'SMS',
      kind: 'deferred',
      reason: 'rate_limited',
      until: now + HOUR,
    });
    const low = settle(
      request({ priority: 'LOW' }),
      planFor(request({ priority: 'LOW', channels: ['SMS'] }), user()),
      full,
      DEFAULT_CAP_POLICIES,
    );
    expect(low).toEqual({
      kind: 'route',
      decisions: [{ channel: 'SMS', kind: 'suppressed', reason: 'rate_limited' }],
    });
    const soon = request({ expiresAt: now + 60_000 });
    const expiring = settle(soon, planFor(soon, user()), full, DEFAULT_CAP_POLICIES);
    expect(expiring.kind === 'route' && expiring.decisions[1]).toEqual({
      channel: 'SMS',
      kind: 'suppressed',
      reason: 'rate_limited',
    });
  });
});
