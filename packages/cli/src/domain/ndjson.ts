/** One notification of a file, with the line it came from (1-based). */
export interface NdjsonItem {
  line: number;
  value: Record<string, unknown>;
}

export interface NdjsonProblem {
  line: number;
  message: string;
}

/**
 * Newline-delimited JSON (one object per line; blank lines and a trailing newline are ignored,
 * CRLF is accepted). Every line that is not a JSON object is reported with its number, so a file
 * is fixed in one go and nothing is sent from a file with a bad line.
 */
export function parseNdjson(text: string): { items: NdjsonItem[]; problems: NdjsonProblem[] } {
  const items: NdjsonItem[] = [];
  const problems: NdjsonProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      problems.push({ line, message: `not valid JSON (${(e as Error).message})` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line, message: 'expected a JSON object (one notification per line)' });
      return;
    }
    items.push({ line, value: value as Record<string, unknown> });
  });
  return { items, problems };
}

/** Consecutive slices of at most `size` items. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`chunk size must be a positive integer: ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
