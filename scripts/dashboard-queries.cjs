// How Grafana turns a dashboard's variables into queries, once for both readers of the dashboards:
// scripts/render-dashboards.mjs (draws them) and test/support/dashboards.ts (checks every panel
// returns data). CommonJS so that Jest loads it untransformed and the ES-module script can import
// its named exports; types in dashboard-queries.d.cts. Node 20, no dependencies.
'use strict';

/** Grafana's escaping of a multi-value or All variable for a Prometheus regex matcher. */
function regexEscape(value) {
  return value.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&');
}

function formatValue(v) {
  if ('single' in v) return v.single;
  return v.all.length === 1 ? regexEscape(v.all[0]) : `(${v.all.map(regexEscape).join('|')})`;
}

/** A query with Grafana's variables replaced: `$name`, `${name}`, `[[name]]` and the built-ins. */
function interpolate(expr, vars, builtins) {
  const values = {
    __rate_interval: builtins.rateInterval,
    __interval: builtins.interval,
    __range: builtins.range,
    ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, formatValue(v)])),
  };
  // Longest names first, so `$__range` never matches as `$__r…` of another.
  const names = Object.keys(values).sort((a, b) => b.length - a.length);
  let out = expr;
  for (const name of names) {
    const value = values[name];
    out = out
      .split(`\${${name}}`)
      .join(value)
      .split(`[[${name}]]`)
      .join(value)
      .replace(new RegExp(`\\$${name}(?![A-Za-z0-9_])`, 'g'), () => value);
  }
  // `$1` (label_replace's capture groups) is PromQL's own, not a variable.
  const left = /\$\{?[A-Za-z_]\w*\}?|\[\[\w+\]\]/.exec(out);
  if (left) throw new Error(`variable ${left[0]} left unresolved in: ${out}`);
  return out;
}

/** `label_values(metric{…}, label)` or `label_values(label)`, as the query variables use. */
function parseLabelValues(query) {
  const m = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*$/.exec(query);
  if (!m) throw new Error(`unsupported variable query (only label_values): ${query}`);
  return { match: m[1] ?? '{__name__=~".+"}', label: m[2] };
}

function describeVariables(combo) {
  const parts = Object.entries(combo).map(([k, v]) => `${k}=${'single' in v ? v.single : 'All'}`);
  return parts.length ? parts.join(', ') : 'no variables';
}

/**
 * Every combination of the dashboard's variables Grafana can show: a single-value variable takes
 * each of its values in turn, an All variable all of them at once (in the order they are defined,
 * so a variable's query may use those before it). A variable with no values at all is an error: its
 * panels could show nothing.
 */
async function variableCombinations(dashboard, prom, builtins) {
  let combos = [{}];
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query') throw new Error(`variable ${v.name}: only query variables are supported`);
    const raw = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const next = [];
    for (const combo of combos) {
      const { match, label } = parseLabelValues(interpolate(raw, combo, builtins));
      const values = [...(await prom.labelValues(label, match))].sort();
      if (values.length === 0) {
        throw new Error(`variable ${v.name} has no values (${raw} with ${describeVariables(combo)})`);
      }
      if (v.includeAll) next.push({ ...combo, [v.name]: { all: values } });
      else for (const value of values) next.push({ ...combo, [v.name]: { single: value } });
    }
    combos = next;
  }
  return combos;
}

module.exports = { interpolate, parseLabelValues, describeVariables, variableCombinations };
