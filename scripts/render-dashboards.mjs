#!/usr/bin/env node
// Draws Herald's Grafana dashboards from a Prometheus, without Grafana: each panel's queries run
// over a time range (query_range; instant targets at its end) and are drawn as inline SVG (line
// charts with legends, stat values, bar gauges, state timelines). One HTML page per dashboard, with
// a section per combination of its variables' values. For looking at the dashboards during or
// after a run (test/e2e/dashboards.e2e.test.ts runs it when HERALD_RENDER_DASHBOARDS=<dir>;
// docs/monitoring.md).
//
//   node scripts/render-dashboards.mjs --prometheus=http://127.0.0.1:9090 --out=/tmp/dashboards \
//     [--last=15m | --start=<epoch s> --end=<epoch s>] [--step=15] [--rate-interval=1m] \
//     [--dashboards=ops/grafana/dashboards]
//
// Variables are resolved as Grafana would, by scripts/dashboard-queries.cjs (which the e2e test's
// checks use too): an All variable takes every value at once, a single-value variable one section
// per value; a variable with no values is an error. Node 20, no dependencies.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeVariables, interpolate, variableCombinations } from './dashboard-queries.cjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COLORS = [
  '#7eb26d',
  '#eab839',
  '#6ed0e0',
  '#ef843c',
  '#e24d42',
  '#1f78c1',
  '#ba43a9',
  '#705da0',
  '#508642',
  '#cca300',
  '#447ebc',
  '#c15c17',
  '#890f02',
  '#0a437c',
  '#6d1f62',
  '#584477',
];

function args(argv) {
  const out = {};
  for (const a of argv) {
    const m = /^--([\w-]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a} (use --name=value)`);
    out[m[1]] = m[2];
  }
  return out;
}

function seconds(duration) {
  const m = /^(\d+)(s|m|h|d)$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration} (use 30s, 15m, 1h, 1d)`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// Each request is bounded: a Prometheus that stops answering fails the run instead of hanging it.
const REQUEST_TIMEOUT_MS = 30_000;

async function api(base, p, params) {
  const what = `${p} ${JSON.stringify(params)}`;
  let res;
  try {
    res = await fetch(`${base}${p}?${new URLSearchParams(params)}`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const why = err.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : err.message;
    throw new Error(`${base}${p}: ${why}`);
  }
  const type = res.headers.get('content-type') ?? '';
  // A proxy's or a wrong URL's HTML error page is not Prometheus's JSON: say so, not "Unexpected token <".
  if (!type.includes('application/json')) {
    const text = (await res.text()).slice(0, 200);
    throw new Error(
      `${what}: HTTP ${res.status} ${type || 'without a content type'}, not Prometheus's JSON: ${text}`,
    );
  }
  const body = await res.json();
  if (body.status !== 'success') throw new Error(`${what}: ${body.error ?? `HTTP ${res.status}`}`);
  return body.data;
}

function legend(format, metric) {
  if (!format) return JSON.stringify(metric);
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l) => metric[l] ?? '');
}

function fmt(n, unit) {
  if (!Number.isFinite(n)) return '–';
  if (unit === 'percentunit') return `${(n * 100).toFixed(1)}%`;
  const abs = Math.abs(n);
  const s =
    abs >= 1000
      ? `${(n / 1000).toFixed(1)}k`
      : abs >= 10 || n === 0
        ? n.toFixed(abs >= 100 ? 0 : 1)
        : n.toPrecision(2);
  const suffix = { s: ' s', ops: '/s', reqps: ' req/s' }[unit] ?? '';
  return `${s}${suffix}`;
}

function lineChart(series, opts) {
  // One viewBox unit per pixel or so at 1400 px: text keeps its size whatever the panel's width.
  const W = 54 * opts.columns,
    H = 200,
    L = 56,
    B = 22,
    T = 8,
    R = 8;
  const { start, end, unit, max: fixedMax, stepped } = opts;
  const all = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const max = fixedMax ?? Math.max(1e-9, ...all) * 1.1;
  const x = (t) => L + ((t - start) / Math.max(1, end - start)) * (W - L - R);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  let svg = `<svg viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="none">`;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg += `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#333" stroke-width="0.5"/>`;
    svg += `<text x="${L - 4}" y="${y(v) + 3}" text-anchor="end" font-size="9" fill="#aaa">${fmt(v, unit)}</text>`;
  }
  for (let i = 0; i <= 4; i++) {
    const t = start + ((end - start) * i) / 4;
    const label = new Date(t * 1000).toISOString().slice(11, 19);
    svg += `<text x="${x(t)}" y="${H - 6}" text-anchor="middle" font-size="9" fill="#aaa">${label}</text>`;
  }
  series.forEach((s, i) => {
    let d = '';
    let pen = false;
    let last;
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      if (stepped && pen) d += `L${x(t).toFixed(1)},${y(last).toFixed(1)}`;
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
      last = v;
    }
    svg += `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>`;
  });
  return `${svg}</svg>${legendTable(series, unit)}`;
}

function legendTable(series, unit) {
  const rows = series.map((s, i) => {
    const vals = s.points.map((p) => p[1]).filter(Number.isFinite);
    const mean = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN;
    return (
      `<tr><td><span class="sw" style="background:${COLORS[i % COLORS.length]}"></span>${escapeHtml(s.name)}</td>` +
      `<td>${fmt(mean, unit)}</td><td>${fmt(vals.length ? Math.max(...vals) : NaN, unit)}</td><td>${fmt(vals.at(-1) ?? NaN, unit)}</td></tr>`
    );
  });
  return `<table class="legend"><tr><th></th><th>mean</th><th>max</th><th>last</th></tr>${rows.join('')}</table>`;
}

function statValue(series, unit) {
  const v = series.reduce((a, s) => a + (s.points.at(-1)?.[1] ?? 0), 0);
  return `<div class="stat">${series.length ? fmt(v, unit) : 'No data'}</div>`;
}

function bars(series, unit) {
  const vals = series.map((s) => s.points.at(-1)?.[1] ?? NaN);
  const max = Math.max(1e-9, ...vals.filter(Number.isFinite));
  return series.length === 0
    ? '<div class="stat">No data</div>'
    : series
        .map(
          (s, i) =>
            `<div class="bar"><span class="bl">${escapeHtml(s.name)}</span><span class="bt"><span class="bf" style="width:${Math.max(0, (vals[i] / max) * 100)}%;background:${COLORS[i % COLORS.length]}"></span></span><span class="bv">${fmt(vals[i], unit)}</span></div>`,
        )
        .join('');
}

function stateTimeline(series, panel, start, end) {
  const mapping = panel.fieldConfig?.defaults?.mappings?.[0]?.options ?? {};
  const W = 54 * (panel.gridPos?.w ?? 12),
    L = 90,
    rowH = 22;
  const x = (t) => L + ((t - start) / Math.max(1, end - start)) * (W - L - 8);
  let svg = `<svg viewBox="0 0 ${W} ${series.length * rowH + 4}" width="100%">`;
  series.forEach((s, r) => {
    svg += `<text x="4" y="${r * rowH + 15}" font-size="10" fill="#ccc">${escapeHtml(s.name)}</text>`;
    s.points.forEach(([t, v], i) => {
      const next = s.points[i + 1]?.[0] ?? end;
      const m = mapping[String(v)];
      svg += `<rect x="${x(t)}" y="${r * rowH + 2}" width="${Math.max(0.5, x(next) - x(t))}" height="${rowH - 4}" fill="${m?.color ?? '#555'}"/>`;
    });
  });
  const key = Object.entries(mapping)
    .map(([v, m]) => `<span class="sw" style="background:${m.color}"></span>${escapeHtml(m.text)} (${v})`)
    .join(' &nbsp; ');
  return `${svg}</svg><div class="key">${key}</div>`;
}

async function renderPanel(prom, panel, combo, w) {
  if (panel.type === 'row') return `<h2 style="grid-column:1/-1">${escapeHtml(panel.title)}</h2>`;
  const unit = panel.fieldConfig?.defaults?.unit;
  const series = [];
  for (const t of panel.targets ?? []) {
    const expr = interpolate(t.expr, combo, w.builtins);
    const data = t.instant
      ? await api(prom, '/api/v1/query', { query: expr, time: String(w.end) })
      : await api(prom, '/api/v1/query_range', {
          query: expr,
          start: String(w.start),
          end: String(w.end),
          step: String(w.step),
        });
    for (const r of data.result) {
      const points = (r.values ?? [r.value]).map(([ts, v]) => [Number(ts), Number(v)]);
      series.push({ name: legend(t.legendFormat, r.metric), points });
    }
  }
  let body;
  if (panel.type === 'stat') body = statValue(series, unit);
  else if (panel.type === 'bargauge') body = bars(series, unit);
  else if (panel.type === 'state-timeline') body = stateTimeline(series, panel, w.start, w.end);
  else
    body = series.length
      ? lineChart(series, {
          start: w.start,
          end: w.end,
          unit,
          max: panel.fieldConfig?.defaults?.max,
          columns: panel.gridPos?.w ?? 12,
          stepped: panel.fieldConfig?.defaults?.custom?.lineInterpolation === 'stepAfter',
        })
      : '<div class="stat">No data</div>';
  const g = panel.gridPos ?? { x: 0, w: 12 };
  return (
    `<section class="panel" style="grid-column:${g.x + 1}/span ${g.w}" title="${escapeHtml(panel.description ?? '')}">` +
    `<h3>${escapeHtml(panel.title)}</h3>${body}</section>`
  );
}

const CSS = `body{background:#111217;color:#ccccdc;font:13px system-ui,sans-serif;margin:16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:12px 0 0;border-bottom:1px solid #333}
h3{font-size:13px;margin:0 0 6px;font-weight:600}.meta{color:#888;margin-bottom:12px}
.grid{display:grid;grid-template-columns:repeat(24,1fr);gap:8px}
.panel{background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:8px;min-width:0}
.stat{font-size:34px;font-weight:600;color:#73bf69;padding:8px 4px}
table.legend{width:100%;font-size:11px;border-collapse:collapse}table.legend td,table.legend th{padding:1px 4px;text-align:right}
table.legend td:first-child{text-align:left;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:340px}
.sw{display:inline-block;width:10px;height:4px;margin-right:5px;vertical-align:middle}
.bar{display:flex;align-items:center;gap:6px;font-size:11px;margin:3px 0}.bl{width:45%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bt{flex:1;background:#222;height:12px}.bf{display:block;height:12px}.bv{width:60px;text-align:right}.key{font-size:11px;margin-top:4px}`;

async function main() {
  const a = args(process.argv.slice(2));
  if (!a.prometheus || !a.out)
    throw new Error(
      'usage: render-dashboards.mjs --prometheus=URL --out=DIR [--last=15m | --start=S --end=S] [--step=S] [--rate-interval=D]',
    );
  const prom = a.prometheus.replace(/\/$/, '');
  const end = Number(a.end ?? Math.floor(Date.now() / 1000));
  const start = Number(a.start ?? end - seconds(a.last ?? '15m'));
  const step = Number(a.step ?? Math.max(1, Math.round((end - start) / 200)));
  const builtins = {
    rateInterval: a['rate-interval'] ?? '1m',
    interval: `${step}s`,
    range: `${Math.ceil(end - start)}s`,
  };
  const dir = path.resolve(a.dashboards ?? path.join(ROOT, 'ops', 'grafana', 'dashboards'));
  mkdirSync(a.out, { recursive: true });
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const dashboard = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const sections = [];
    const labels = {
      labelValues: (label, match) =>
        api(prom, `/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match }),
    };
    for (const combo of await variableCombinations(dashboard, labels, builtins)) {
      const vars = Object.keys(combo).length ? describeVariables(combo) : '';
      const panels = [];
      for (const p of dashboard.panels ?? [])
        panels.push(await renderPanel(prom, p, combo, { start, end, step, builtins }));
      sections.push(
        `${vars ? `<h2>${escapeHtml(vars)}</h2>` : ''}<div class="grid">${panels.join('')}</div>`,
      );
    }
    const title = dashboard.title ?? file;
    const range = `${new Date(start * 1000).toISOString()} – ${new Date(end * 1000).toISOString()}`;
    const html =
      `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${CSS}</style></head>` +
      `<body><h1>${escapeHtml(title)}</h1><div class="meta">${escapeHtml(range)} · step ${step}s · $__rate_interval ${builtins.rateInterval} · ${escapeHtml(prom)}</div>${sections.join('')}</body></html>`;
    const out = path.join(a.out, file.replace(/\.json$/, '.html'));
    writeFileSync(out, html);
    console.log(`rendered ${out}`);
  }
}

main().catch((err) => {
  console.error(`render-dashboards: ${err.message}`);
  process.exit(1);
});
