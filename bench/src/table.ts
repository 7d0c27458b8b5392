import type { LatencySummary } from './stats';

/** Table cells for the printed summary: pure formatting. */

/** Left-aligned first column, right-aligned others, two spaces between columns. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Milliseconds: one decimal below 100. */
export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** p50 / p99 of a latency summary. */
export function pair(s: LatencySummary | null | undefined): string {
  if (!s || s.count === 0 || s.p50 === null || s.p99 === null) return '–';
  return `${ms(s.p50)} / ${ms(s.p99)}`;
}

/** A CPU share: 100 % is one core. */
export const cpu = (percent: number | null | undefined) =>
  percent === null || percent === undefined ? '–' : `${percent.toFixed(0)}%`;
