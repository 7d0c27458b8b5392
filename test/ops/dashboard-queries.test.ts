import {
  describeVariables,
  interpolate,
  parseLabelValues,
  variableCombinations,
} from '../../scripts/dashboard-queries.cjs';
import type { Builtins, LabelValuesSource } from '../../scripts/dashboard-queries.cjs';

// The variable handling scripts/render-dashboards.mjs and the dashboards e2e test share.
const builtins: Builtins = { rateInterval: '1m', interval: '5s', range: '300s' };

describe('interpolate', () => {
  it('replaces $name, ${name}, [[name]] and the built-ins, longest name first', () => {
    expect(
      interpolate(
        'sum(rate(x{c="$channel",d="${channel}",e="[[channel]]"}[$__rate_interval])) / $__range',
        { channel: { single: 'sms' } },
        builtins,
      ),
    ).toBe('sum(rate(x{c="sms",d="sms",e="sms"}[1m])) / 300s');
  });

  it('writes an All variable as an escaped regex alternation', () => {
    expect(interpolate('x{g=~"$group"}', { group: { all: ['a.b', 'c+d'] } }, builtins)).toBe(
      'x{g=~"(a\\\\.b|c\\\\+d)"}',
    );
    expect(interpolate('x{g=~"$group"}', { group: { all: ['a.b'] } }, builtins)).toBe('x{g=~"a\\\\.b"}');
  });

  it('fails on a variable it cannot resolve, but leaves label_replace captures alone', () => {
    expect(() => interpolate('x{a="$missing"}', {}, builtins)).toThrow('variable $missing left unresolved');
    expect(() => interpolate('x{a="[[missing]]"}', {}, builtins)).toThrow('[[missing]] left unresolved');
    expect(interpolate('label_replace(x, "d", "$1", "e", "(.*)")', {}, builtins)).toBe(
      'label_replace(x, "d", "$1", "e", "(.*)")',
    );
  });
});

describe('parseLabelValues', () => {
  it('reads label_values with and without a selector, and refuses anything else', () => {
    expect(parseLabelValues('label_values(herald_consumer_lag{topic="t"}, group)')).toEqual({
      match: 'herald_consumer_lag{topic="t"}',
      label: 'group',
    });
    expect(parseLabelValues('label_values(job)')).toEqual({ match: '{__name__=~".+"}', label: 'job' });
    expect(() => parseLabelValues('query_result(up)')).toThrow('only label_values');
  });
});

describe('variableCombinations', () => {
  const source = (values: Record<string, string[]>): LabelValuesSource & { asked: string[] } => {
    const asked: string[] = [];
    return {
      asked,
      labelValues: (label, match) => {
        asked.push(`${label} ${match}`);
        const v = values[`${label} ${match}`];
        if (!v) throw new Error(`unexpected label_values(${match}, ${label})`);
        return Promise.resolve(v);
      },
    };
  };

  it('takes each value of a single-value variable and all values of an All one, in order', async () => {
    const prom = source({
      'channel m': ['sms', 'email'],
      'provider m{channel="email"}': ['ses'],
      'provider m{channel="sms"}': ['twilio', 'sns'],
    });
    const combos = await variableCombinations(
      {
        templating: {
          list: [
            { name: 'channel', type: 'query', query: 'label_values(m, channel)' },
            {
              name: 'provider',
              type: 'query',
              query: { query: 'label_values(m{channel="$channel"}, provider)' },
              includeAll: true,
            },
          ],
        },
      },
      prom,
      builtins,
    );
    expect(combos.map(describeVariables)).toEqual([
      'channel=email, provider=All',
      'channel=sms, provider=All',
    ]);
    expect(combos[1]).toEqual({ channel: { single: 'sms' }, provider: { all: ['sns', 'twilio'] } });
    expect(await variableCombinations({}, prom, builtins)).toEqual([{}]);
    expect(describeVariables({})).toBe('no variables');
  });

  it('fails on a variable with no values, and on a variable that is not a query', async () => {
    await expect(
      variableCombinations(
        { templating: { list: [{ name: 'group', type: 'query', query: 'label_values(lag, group)' }] } },
        source({ 'group lag': [] }),
        builtins,
      ),
    ).rejects.toThrow('variable group has no values');
    await expect(
      variableCombinations({ templating: { list: [{ name: 'x', type: 'custom' }] } }, source({}), builtins),
    ).rejects.toThrow('only query variables');
  });
});
