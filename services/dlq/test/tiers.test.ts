import { DEFAULT_DELAY_TIERS, parseTiers, topicNames } from '@herald/shared';
import { OVERDUE_GRACE_MS, tierAllowance } from '../src/tiers';

describe('tierAllowance', () => {
  it('allows each tier topic its length plus the grace, and bounds no other topic', () => {
    const topics = topicNames('t.');
    const allowance = tierAllowance(topics, parseTiers(DEFAULT_DELAY_TIERS));
    expect(allowance(topics.delay('1s'))).toBe(1000 + OVERDUE_GRACE_MS);
    expect(allowance(topics.delay('1h'))).toBe(3_600_000 + OVERDUE_GRACE_MS);
    expect(allowance(topics.dlq)).toBeUndefined();
    expect(allowance(topics.delay('3s'))).toBeUndefined();
  });
});
