import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { PrometheusProcess, PromResult } from './prometheus';

const ROOT = path.resolve(__dirname, '..', '..');
export const DASHBOARD_DIR = path.join(ROOT, 'ops', 'grafana', 'dashboards');
/** The datasource every panel and target names: compose and k8s provision Prometheus under it. */
export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

interface Datasource {
  type?: string;
  uid?: string;
}
export interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  datasource?: Datasource;
}
export interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: Datasource;
  targets?: Target[];
  /** A row's panels, when it is collapsed. */
  panels?: Panel[];
}
export interface TemplateVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  includeAll?: boolean;
  multi?: boolean;
  datasource?: Datasource;
}
export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list?: TemplateVariable[] };
}
export interface DashboardFile {
  /** The file's name without `.json`: overview, channel, dlq, kafka. */
  name: string;
  file: string;
  dashboard: Dashboard;
}

export function loadDashboards(dir: string = DASHBOARD_DIR): DashboardFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      file: path.join(dir, f),
      dashboard: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Dashboard,
    }));
}

/** Every panel, rows' own panels included (a collapsed row keeps its panels inside it). */
export function allPanels(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** What is wrong with a dashboard's structure, one line each; empty when nothing is. */
export function structureProblems(d: Dashboard): string[] {
  const problems: string[] = [];
  if (!d.uid) problems.push('no uid');
  if (!d.title) problems.push('no title');
  if (d.schemaVersion === undefined || d.schemaVersion < 36)
    problems.push(`schemaVersion ${d.schemaVersion}`);
  const ids = new Map<number, number>();
  for (const p of allPanels(d)) {
    const name = `panel ${p.id ?? '?'} "${p.title ?? ''}"`;
    if (p.id === undefined) problems.push(`${name}: no id`);
    else ids.set(p.id, (ids.get(p.id) ?? 0) + 1);
    if (!p.title) problems.push(`${name}: no title`);
    if (p.type === 'row') continue;
    if (p.datasource?.uid !== DATASOURCE.uid || p.datasource.type !== DATASOURCE.type) {
      problems.push(`${name}: datasource ${JSON.stringify(p.datasource)}`);
    }
    if (!p.targets?.length) problems.push(`${name}: no targets`);
    const refIds = new Set<string>();
    for (const t of p.targets ?? []) {
      if (!t.expr?.trim()) problems.push(`${name}: target ${t.refId ?? '?'} has no expr`);
      if (!t.refId || refIds.has(t.refId))
        problems.push(`${name}: target refId ${t.refId} missing or repeated`);
      refIds.add(t.refId ?? '');
      if (t.datasource && t.datasource.uid !== DATASOURCE.uid) {
        problems.push(`${name}: target ${t.refId ?? '?'} datasource ${JSON.stringify(t.datasource)}`);
      }
    }
  }
  for (const [id, n] of ids) if (n > 1) problems.push(`panel id ${id} used ${n} times`);
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'query' && v.datasource?.uid !== DATASOURCE.uid) {
      problems.push(`variable ${v.name}: datasource ${JSON.stringify(v.datasource)}`);
    }
  }
  return problems;
}

/** A variable's value as Grafana writes it into a query: one value, or a regex of several. */
export type VariableValue = { single: string } | { all: string[] };

/** Grafana's escaping of a multi-value or All variable for a Prometheus regex matcher. */
function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&');
}

function formatValue(v: VariableValue): string {
  if ('single' in v) return v.single;
  return v.all.length === 1 ? regexEscape(v.all[0] ?? '') : `(${v.all.map(regexEscape).join('|')})`;
}

/** The built-in variables: `$__rate_interval` and `$__interval` as durations, `$__range` too. */
export interface Builtins {
  rateInterval: string;
  interval: string;
  range: string;
}

/** A query with Grafana's variables replaced: `$name`, `${name}`, `[[name]]` and the built-ins. */
export function interpolate(expr: string, vars: Record<string, VariableValue>, builtins: Builtins): string {
  const values: Record<string, string> = {
    __rate_interval: builtins.rateInterval,
    __interval: builtins.interval,
    __range: builtins.range,
    ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, formatValue(v)])),
  };
  // Longest names first, so `$__range` never matches as `$__r…` of another.
  const names = Object.keys(values).sort((a, b) => b.length - a.length);
  let out = expr;
  for (const name of names) {
    const value = values[name] ?? '';
    out = out
      .split(`\${${name}}`)
      .join(value)
      .split(`[[${name}]]`)
      .join(value)
      .replace(new RegExp(`\\$${name}(?![A-Za-z0-9_])`, 'g'), () => value);
  }
  const left = /\$(\w+)|\[\[(\w+)\]\]/.exec(out);
  if (left) throw new Error(`variable ${left[0]} left unresolved in: ${out}`);
  return out;
}

/** `label_values(metric{…}, label)` or `label_values(label)`, as the query variables use. */
export function parseLabelValues(query: string): { match: string; label: string } {
  const m = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*$/.exec(query);
  if (!m?.[2]) throw new Error(`unsupported variable query (only label_values): ${query}`);
  return { match: m[1] ?? '{__name__=~".+"}', label: m[2] };
}

/**
 * Every combination of the dashboard's variables Grafana can show: a single-value variable takes
 * each of its values in turn, an All variable all of them at once (in the order they are defined,
 * so a variable's query may use those before it). A variable with no values at all is an error.
 */
export async function variableCombinations(
  d: Dashboard,
  prom: Pick<PrometheusProcess, 'labelValues'>,
  builtins: Builtins,
): Promise<Record<string, VariableValue>[]> {
  let combos: Record<string, VariableValue>[] = [{}];
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') throw new Error(`variable ${v.name}: only query variables are supported`);
    const raw = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const next: Record<string, VariableValue>[] = [];
    for (const combo of combos) {
      const { match, label } = parseLabelValues(interpolate(raw, combo, builtins));
      const values = (await prom.labelValues(label, match)).sort();
      if (values.length === 0)
        throw new Error(`variable ${v.name} has no values (${raw} with ${describeVariables(combo)})`);
      if (v.includeAll) next.push({ ...combo, [v.name]: { all: values } });
      else for (const value of values) next.push({ ...combo, [v.name]: { single: value } });
    }
    combos = next;
  }
  return combos;
}

export function describeVariables(combo: Record<string, VariableValue>): string {
  const parts = Object.entries(combo).map(([k, v]) => `${k}=${'single' in v ? v.single : 'All'}`);
  return parts.length ? parts.join(', ') : 'no variables';
}

/** What one target's query returned. */
export interface TargetResult {
  dashboard: string;
  panel: string;
  refId: string;
  variables: string;
  expr: string;
  series: number;
  /** Samples that are numbers (not NaN, not ±Inf). */
  finite: number;
  max: number;
}

function summarise(result: PromResult): { series: number; finite: number; max: number } {
  let finite = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of result.result) {
    for (const [, raw] of s.values ?? (s.value ? [s.value] : [])) {
      const n = Number(raw);
      if (Number.isFinite(n)) {
        finite++;
        max = Math.max(max, n);
      }
    }
  }
  return { series: result.result.length, finite, max };
}

/**
 * Runs every target of every panel, for every combination of variables, as Grafana would over
 * [start, end]: an instant target at `end`, a range target over the range every `stepSeconds`.
 */
export async function queryDashboard(
  file: DashboardFile,
  prom: Pick<PrometheusProcess, 'labelValues' | 'query' | 'queryRange'>,
  window: { start: number; end: number; stepSeconds: number; rateInterval: string },
): Promise<TargetResult[]> {
  const builtins: Builtins = {
    rateInterval: window.rateInterval,
    interval: `${window.stepSeconds}s`,
    range: `${Math.ceil(window.end - window.start)}s`,
  };
  const results: TargetResult[] = [];
  for (const combo of await variableCombinations(file.dashboard, prom, builtins)) {
    for (const panel of allPanels(file.dashboard)) {
      for (const t of panel.targets ?? []) {
        const expr = interpolate(t.expr ?? '', combo, builtins);
        const result = t.instant
          ? await prom.query(expr, window.end)
          : await prom.queryRange(expr, window.start, window.end, window.stepSeconds);
        results.push({
          dashboard: file.name,
          panel: `${panel.id ?? '?'} "${panel.title ?? ''}"`,
          refId: t.refId ?? '?',
          variables: describeVariables(combo),
          expr,
          ...summarise(result),
        });
      }
    }
  }
  return results;
}
