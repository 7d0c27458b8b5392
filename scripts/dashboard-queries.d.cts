// Types of dashboard-queries.cjs (shared by scripts/render-dashboards.mjs and test/support).

/** A variable's value as Grafana writes it into a query: one value, or a regex of several. */
export type VariableValue = { single: string } | { all: string[] };
export type VariableCombination = Record<string, VariableValue>;

/** The built-in variables: `$__rate_interval`, `$__interval` and `$__range`, as durations. */
export interface Builtins {
  rateInterval: string;
  interval: string;
  range: string;
}

/** What a dashboard's `templating.list` holds, as far as these functions read it. */
export interface TemplateVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  includeAll?: boolean;
}

/** The values of `label` over the series matching `match` (Prometheus's label values API). */
export interface LabelValuesSource {
  labelValues(label: string, match: string): Promise<string[]>;
}

/** A query with Grafana's variables replaced; throws if a `$name` or `[[name]]` is left. */
export function interpolate(expr: string, vars: VariableCombination, builtins: Builtins): string;

/** `label_values(metric{…}, label)` or `label_values(label)`; throws on any other query. */
export function parseLabelValues(query: string): { match: string; label: string };

/** `channel=sms, group=All`, or `no variables`. */
export function describeVariables(combo: VariableCombination): string;

/** Every combination of the variables Grafana can show; throws if a variable has no values. */
export function variableCombinations(
  dashboard: { templating?: { list?: TemplateVariable[] } },
  prom: LabelValuesSource,
  builtins: Builtins,
): Promise<VariableCombination[]>;
