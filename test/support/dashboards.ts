import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describeVariables, interpolate, variableCombinations } from '../../scripts/dashboard-queries.cjs';
import type { Builtins } from '../../scripts/dashboard-queries.cjs';
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
