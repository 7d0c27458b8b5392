import { createRegistry, metricsFor, openSetCounter, zeroSeries } from '../src/metrics';

describe('zeroSeries', () => {
  it('creates every combination of the label values at 0, which the first inc then moves', async () => {
    const registry = createRegistry('test');
    const decisions = metricsFor.retryDecisions(registry);
    zeroSeries(decisions, { decision: ['retry', 'park'], channel: ['EMAIL', 'SMS', 'none'] });
    decisions.inc({ decision: 'park', channel: 'SMS' });
    const { values } = await decisions.get();
    const seen = values.map((v) => `${v.labels.decision}/${v.labels.channel}=${v.value}`).sort();
    expect(seen).toEqual([
      'park/EMAIL=0',
      'park/SMS=1',
      'park/none=0',
      'retry/EMAIL=0',
      'retry/SMS=0',
      'retry/none=0',
    ]);
  });

  it('creates nothing when a label has no values', async () => {
    const registry = createRegistry('test');
    const decisions = metricsFor.retryDecisions(registry);
    zeroSeries(decisions, { decision: [], channel: ['EMAIL'] });
    expect((await decisions.get()).values).toEqual([]);
  });
});

describe('openSetCounter', () => {
  it('shows a new series at 0 for one scrape, then its count; a known series counts at once', async () => {
    const registry = createRegistry('test');
    const errors = openSetCounter({
      name: 'test_errors_total',
      help: 'h',
      labelNames: ['code'] as const,
      registers: [registry],
    });
    const scrape = async () => {
      const text = await registry.getSingleMetricAsString('test_errors_total');
      return [...text.matchAll(/code="(\w+)",service="test"\} (\d+)/g)].map(([, c, v]) => `${c}=${v}`).sort();
    };
    expect(await scrape()).toEqual([]);
    errors.inc({ code: 'a' });
    errors.inc({ code: 'a' }, 2);
    expect(await scrape()).toEqual(['a=0']);
    errors.inc({ code: 'a' });
    expect(await scrape()).toEqual(['a=4']);
    errors.inc({ code: 'a' });
    errors.inc({ code: 'b' });
    expect(await scrape()).toEqual(['a=5', 'b=0']);
    expect(await scrape()).toEqual(['a=5', 'b=1']);
  });
});
