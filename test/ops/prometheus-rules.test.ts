import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createRegistry, metricsFor } from '@herald/shared';
import { createAdminMetrics } from '../../services/dlq/src/metrics';

/**
 * ops/prometheus/alerts.yml, checked by the real promtool (Debian's package, which
 * infra/prometheus.sh unpacks into .cache/tools where the machine has none): `check rules`, then
 * `test rules` on every ops/prometheus/*.test.yml. Then what promtool cannot see: every alert has
 * a test where it fires and one where it must not, every metric the rules read is one Herald
 * exports, every `le` is a bucket boundary of its histogram, and every runbook link lands on a
 * section of docs/alerts.md.
 */
const root = path.resolve(__dirname, '../..');
const rulesFile = 'ops/prometheus/alerts.yml';
const testFiles = readdirSync(path.join(root, 'ops/prometheus'))
  .filter((f) => f.endsWith('.test.yml'))
  .map((f) => `ops/prometheus/${f}`);

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTestCase {
  alertname: string;
  exp_alerts?: unknown[] | null;
}
interface UnitTest {
  name?: string;
  alert_rule_test?: AlertTestCase[];
}

const readYaml = <T>(file: string): T => parse(readFileSync(path.join(root, file), 'utf8')) as T;
const rules = readYaml<{ groups: { name: string; rules: Rule[] }[] }>(rulesFile).groups.flatMap(
  (g) => g.rules,
);
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const records = new Set(rules.flatMap((r) => (r.record === undefined ? [] : [r.record])));

// Synchronous calls block Jest's test timeout: a hung tool (a sudo prompt, a lock) is killed instead.
const TOOL_TIMEOUT_MS = 240_000;

function promtool(...args: string[]): string {
  const bin = execFileSync('infra/prometheus.sh', ['bin'], {
    cwd: root,
    encoding: 'utf8',
    timeout: TOOL_TIMEOUT_MS,
  }).trim();
  const run = spawnSync(path.join(bin, 'promtool'), args, {
    cwd: root,
    encoding: 'utf8',
    timeout: TOOL_TIMEOUT_MS,
  });
  const output = `${run.stdout}${run.stderr}`;
  if (run.error) throw new Error(`promtool ${args.join(' ')} did not run to the end: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`promtool ${args.join(' ')} exited ${run.status}:\n${output}`);
  return output;
}

/** An expression's names, with its string literals ("…", '…', `…`) taken out first. */
function identifiers(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return bare.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
}

const observable = (m: object): m is { observe(value: number): void } =>
  'observe' in m && typeof m.observe === 'function';

/** The series names Herald's code exports, from the same factories the services call. */
async function exportedSeries(): Promise<{ names: Set<string>; buckets: Map<string, Set<string>> }> {
  const registry = createRegistry('rules-test');
  for (const make of Object.values(metricsFor)) {
    // Every factory takes the registry; circuitState also a reader of the breakers' states.
    (make as (r: typeof registry, state: () => Record<string, number>) => unknown)(registry, () => ({}));
  }
  createAdminMetrics(registry, () => Promise.resolve(null));
  // A labelled histogram shows its buckets once it has an observation.
  for (const metric of registry.getMetricsAsArray()) if (observable(metric)) metric.observe(0);
  const names = new Set<string>();
  const buckets = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const { name } = metric;
    // prom-client's typings declare a numeric enum; at run time the type is its name.
    const type = String(metric.type);
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      const les = metric.values.flatMap((v) => (v.labels.le === undefined ? [] : [String(v.labels.le)]));
      buckets.set(`${name}_bucket`, new Set(les));
    } else if (type === 'summary') {
      for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    } else {
      names.add(name);
    }
  }
  return { names, buckets };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', () => {
    const output = promtool('check', 'rules', rulesFile);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('pass their promtool unit tests', () => {
    expect(testFiles).toContain('ops/prometheus/alerts.test.yml');
    for (const file of testFiles) expect(promtool('test', 'rules', file)).toContain('SUCCESS');
  });

  it('have, for every alert, a unit test where it fires and one where it does not', () => {
    const cases = testFiles
      .flatMap((f) => readYaml<{ tests?: UnitTest[] }>(f).tests ?? [])
      .flatMap((t) => t.alert_rule_test ?? []);
    const missing = alerts.flatMap((a) => {
      const named = cases.filter((c) => c.alertname === a.alert);
      return [
        ...(named.some((c) => (c.exp_alerts ?? []).length > 0) ? [] : [`${a.alert}: no case where it fires`]),
        ...(named.some((c) => (c.exp_alerts ?? []).length === 0)
          ? []
          : [`${a.alert}: no case where it stays silent`]),
      ];
    });
    expect(alerts.length).toBeGreaterThanOrEqual(5);
    expect(missing).toEqual([]);
    // A case naming an alert that does not exist passes vacuously in promtool: catch typos here.
    const unknown = cases.map((c) => c.alertname).filter((n) => !alerts.some((a) => a.alert === n));
    expect(unknown).toEqual([]);
  });

  it('read only metrics that Herald exports, and recording rules defined beside them', async () => {
    const { names } = await exportedSeries();
    const used = rules.flatMap((r) => identifiers(r.expr));
    const unknownMetrics = used.filter((id) => id.startsWith('herald_') && !names.has(id));
    const unknownRecords = used.filter((id) => id.includes(':') && !records.has(id));
    expect(used.filter((id) => id.startsWith('herald_')).length).toBeGreaterThan(0);
    expect({ unknownMetrics, unknownRecords }).toEqual({ unknownMetrics: [], unknownRecords: [] });
  });

  it('compare histograms only at their bucket boundaries', async () => {
    const { buckets } = await exportedSeries();
    const selectors = rules.flatMap((r) => [...r.expr.matchAll(/(herald_[a-z0-9_]+_bucket)\s*\{([^}]*)\}/g)]);
    const wrong = selectors.flatMap(([, metric = '', matchers = '']) => {
      const le = /\ble\s*=\s*"([^"]*)"/.exec(matchers)?.[1];
      if (le === undefined) return [];
      return buckets.get(metric)?.has(le) ? [] : [`${metric}{le="${le}"}`];
    });
    expect(selectors.length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  });

  it('say how bad it is, what it is about, and where the runbook is', () => {
    const docs = readFileSync(path.join(root, 'docs/alerts.md'), 'utf8');
    const anchors = new Set([...docs.matchAll(/^#{1,6}\s+(.+)$/gm)].map(([, h = '']) => anchor(h)));
    const problems = alerts.flatMap((a) => {
      const p: string[] = [];
      if (!['critical', 'warning', 'info'].includes(a.labels?.severity ?? '')) p.push('severity');
      if (!a.annotations?.summary || !a.annotations.description) p.push('summary or description');
      const runbook = /^docs\/alerts\.md#(.+)$/.exec(a.annotations?.runbook ?? '')?.[1];
      if (runbook === undefined || !anchors.has(runbook)) p.push(`runbook ${a.annotations?.runbook}`);
      return p.map((what) => `${a.alert}: ${what}`);
    });
    expect(problems).toEqual([]);
  });
});
