import { DEFAULT_DELAY_TIERS, createRegistry, metricsFor, parseTiers, topicNames } from '@herald/shared';
import { OVERDUE_GRACE_MS, createTierProcessor, tierAllowance } from '../src/tiers';

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

describe('createTierProcessor', () => {
  it("reports every tier's early releases from the start, at 0, so dashboards read 0 and not no data", async () => {
    const registry = createRegistry('dlq');
    const tiers = parseTiers(DEFAULT_DELAY_TIERS);
    createTierProcessor({
      topics: topicNames('t.'),
      tiers,
      clock: Date.now,
      metrics: {
        forwarded: metricsFor.delayForwarded(registry),
        lateness: metricsFor.delayReleaseLateness(registry),
        early: metricsFor.delayReleasedEarly(registry),
      },
    });
    const early = (await registry.getSingleMetric('herald_delay_released_early_total')?.get())?.values ?? [];
    expect(early.map((v) => [v.labels.tier, v.value])).toEqual(tiers.map((t) => [t.name, 0]));
  });
});
