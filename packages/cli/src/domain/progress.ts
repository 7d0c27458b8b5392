/** A progress line for a stream that is not a terminal (a log, a CI job): no bar, no redraws. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number): string {
  const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `${label}: ${done}/${total} (${pct}%) after ${(elapsedMs / 1000).toFixed(1)}s`;
}

/**
 * When a plain progress line is due: at the end, at least `everyMs` after the last one, and never
 * twice for the same count. The first line waits for the first progress, so a quick job prints
 * its summary alone.
 */
export function plainThrottle(everyMs: number) {
  let lastAt = -Infinity;
  let lastDone = -1;
  return (done: number, total: number, now: number): boolean => {
    if (done === lastDone) return false;
    if (done < total && now - lastAt < everyMs) return false;
    lastAt = now;
    lastDone = done;
    return true;
  };
}
