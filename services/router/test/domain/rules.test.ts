import { DEFAULT_CHANNELS, ruleMatches, selectChannels } from '../../src/domain/rules';
import type { RoutingRule } from '../../src/domain/rules';

const rule = (id: string, position: number, over: Partial<RoutingRule> = {}): RoutingRule => ({
  id,
  position,
  enabled: true,
  match: {},
  channels: ['EMAIL'],
  stopProcessing: false,
  ...over,
});
const subject = { category: 'security', priority: 'HIGH' as const, tags: ['eu', 'beta'] };
const noon = Date.parse('2026-06-10T12:00:00Z'); // a Wednesday

describe('ruleMatches', () => {
  it('matches everything with no conditions, and needs every condition given', () => {
    expect(ruleMatches({}, subject, noon)).toBe(true);
    expect(ruleMatches({ categories: ['security', 'legal'] }, subject, noon)).toBe(true);
    expect(ruleMatches({ categories: ['marketing'] }, subject, noon)).toBe(false);
    expect(ruleMatches({ priorities: ['HIGH'] }, subject, noon)).toBe(true);
    expect(ruleMatches({ priorities: ['LOW', 'NORMAL'] }, subject, noon)).toBe(false);
    expect(ruleMatches({ tags: ['eu'] }, subject, noon)).toBe(true);
    expect(ruleMatches({ tags: ['eu', 'beta'] }, subject, noon)).toBe(true);
    expect(ruleMatches({ tags: ['eu', 'us'] }, subject, noon)).toBe(false);
    expect(ruleMatches({ categories: ['security'], priorities: ['LOW'] }, subject, noon)).toBe(false);
  });

  it("matches a time window in the rule's own zone", () => {
    const office = { timezone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const };
    // 12:00Z is 08:00 EDT
    expect(ruleMatches({ window: { ...office, start: '09:00', end: '17:00' } }, subject, noon)).toBe(false);
    expect(ruleMatches({ window: { ...office, start: '07:00', end: '17:00' } }, subject, noon)).toBe(true);
    // A night window crossing midnight, in Tokyo (21:00 JST)
    const night = { timezone: 'Asia/Tokyo', days: ['wed'] as const, start: '20:00', end: '06:00' };
    expect(ruleMatches({ window: night }, subject, noon)).toBe(true);
  });
});

describe('selectChannels', () => {
  it("uses the priority's default when no rule matches", () => {
    expect(selectChannels([], subject, DEFAULT_CHANNELS, noon)).toEqual({
      channels: ['EMAIL', 'SMS', 'PUSH'],
      matched: [],
    });
    const quietLow = { ...DEFAULT_CHANNELS, LOW: ['EMAIL', 'PUSH'] as const };
    expect(selectChannels([], { ...subject, priority: 'LOW' }, quietLow, noon).channels).toEqual([
      'EMAIL',
      'PUSH',
    ]);
    const other = rule('r1', 1, { match: { categories: ['marketing'] }, channels: ['SMS'] });
    expect(selectChannels([other], subject, DEFAULT_CHANNELS, noon).matched).toEqual([]);
  });

  it('adds the channels of every matching rule in position order, until one stops processing', () => {
    const rules = [
      rule('c', 3, { channels: ['SMS'] }),
      rule('a', 1, { channels: ['PUSH'] }),
      rule('b', 2, { channels: ['EMAIL'], stopProcessing: true }),
    ];
    expect(selectChannels(rules, subject, DEFAULT_CHANNELS, noon)).toEqual({
      channels: ['EMAIL', 'PUSH'],
      matched: ['a', 'b'],
    });
  });

  it('lets an earlier specific rule with stopProcessing override a later catch-all', () => {
    const rules = [
      rule('catch-all', 10, { channels: ['EMAIL', 'SMS', 'PUSH'] }),
      rule('security-sms-only', 1, {
        match: { categories: ['security'] },
        channels: ['SMS'],
        stopProcessing: true,
      }),
    ];
    expect(selectChannels(rules, subject, DEFAULT_CHANNELS, noon)).toEqual({
      channels: ['SMS'],
      matched: ['security-sms-only'],
    });
    const marketing = { ...subject, category: 'marketing' };
    expect(selectChannels(rules, marketing, DEFAULT_CHANNELS, noon).matched).toEqual(['catch-all']);
  });

  it('skips disabled rules, and breaks ties in position by id', () => {
    const rules = [
      rule('z', 1, { channels: ['SMS'], stopProcessing: true }),
      rule('y', 1, { channels: ['PUSH'], stopProcessing: true }),
      rule('x', 0, { channels: ['EMAIL'], stopProcessing: true, enabled: false }),
    ];
    expect(selectChannels(rules, subject, DEFAULT_CHANNELS, noon)).toEqual({
      channels: ['PUSH'],
      matched: ['y'],
    });
  });
});
