import { createRegistry, metricsFor, zeroSeries } from '../src/metrics';

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
