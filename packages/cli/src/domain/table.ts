export type Align = 'left' | 'right';

export interface Column<R> {
  header: string;
  value: (row: R) => string | number | null | undefined;
  align?: Align;
  /** Longer values are cut to this many characters, ending with an ellipsis. */
  max?: number;
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * A plain-text table: a header row, then one row each, columns two spaces apart, numbers aligned
 * right. No trailing spaces, so the output diffs and greps cleanly. Characters count as one column
 * each (Herald's values are ASCII).
 */
export function formatTable<R>(columns: Column<R>[], rows: readonly R[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const v = c.value(row);
      return cut(v === null || v === undefined ? '-' : String(v).replace(/\s+/g, ' '), c.max);
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.align === 'right' ? v.padStart(width) : v.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
