import { createHash, randomUUID } from 'node:crypto';
import type { NdjsonItem } from './ndjson';

/** One item's result in the answer of POST /v1/notifications/batch (docs/api.md). */
export interface BatchResult {
  index: number;
  status: 'accepted' | 'rejected';
  id?: string;
  error?: { code?: string; message?: string; field?: string };
}

export interface Rejection {
  line: number;
  code: string;
  message: string;
}

export interface BatchTally {
  accepted: { line: number; id: string }[];
  rejected: Rejection[];
}

export const emptyTally = (): BatchTally => ({ accepted: [], rejected: [] });

/**
 * Adds one chunk's answer to the tally, each result tied back to its line in the file. The API's
 * message names the item by its index in the chunk (`notifications[16].userId`), so that prefix is
 * replaced by the line.
 */
export function tallyChunk(tally: BatchTally, chunk: readonly NdjsonItem[], results: BatchResult[]): void {
  for (const r of results) {
    const item = chunk[r.index];
    if (!item) continue;
    if (r.status === 'accepted' && r.id) {
      tally.accepted.push({ line: item.line, id: r.id });
    } else {
      const message = (r.error?.message ?? 'rejected').replace(/^notifications\[\d+\]\.?/, '').trim();
      tally.rejected.push({ line: item.line, code: r.error?.code ?? 'rejected', message });
    }
  }
}

/** The summary printed after a file: counts, rejections by code, and the first rejected lines. */
export function formatTally(tally: BatchTally, total: number, shown = 20): string {
  const lines = [`${tally.accepted.length} accepted, ${tally.rejected.length} rejected (of ${total})`];
  if (tally.rejected.length > 0) {
    const byCode = new Map<string, number>();
    for (const r of tally.rejected) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
    const codes = [...byCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    lines.push(`rejected by reason: ${codes.map(([c, n]) => `${c} ${n}`).join(', ')}`);
    const sorted = [...tally.rejected].sort((a, b) => a.line - b.line);
    for (const r of sorted.slice(0, shown)) lines.push(`  line ${r.line}: ${r.code}: ${r.message}`);
    if (sorted.length > shown) lines.push(`  … and ${sorted.length - shown} more (--json lists every one)`);
  }
  return lines.join('\n');
}

/**
 * The Idempotency-Key of each chunk of a file: a hash of the file's content and the chunk size,
 * and the chunk's index. Sending the same file again (after a crash, a blip, Ctrl-C) within the
 * API's 24 h idempotency window sends none of what was accepted: those chunks are answered from
 * the first time. `fresh` (--new-keys) mixes in a random value, to send the same file twice on
 * purpose.
 */
export function chunkKeys(content: string, chunkSize: number, fresh = false): (index: number) => string {
  const hash = createHash('sha256')
    .update(`${chunkSize}\n${fresh ? `${randomUUID()}\n` : ''}`)
    .update(content)
    .digest('hex')
    .slice(0, 32);
  return (index) => `herald-cli-${hash}-${index}`;
}
