import { instantRate } from './stats';

/** Progress lines while a phase runs: counts and the rates since the previous line. */

export interface Counters {
  /** Produced to Kafka, or answered 202 by ingest. */
  accepted: number;
  failed: number;
  delivered: number;
  expected: number;
}

export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return '–';
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(0)}k/s`;
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  return `${perSecond.toFixed(0)}/s`;
}

/** What the two counts are called in a progress line: `released` rather than `delivered`, say. */
export interface CounterWords {
  accepted: string;
  delivered: string;
}

const DEFAULT_WORDS: CounterWords = { accepted: 'accepted', delivered: 'delivered' };

export function progressLine(
  label: string,
  elapsedMs: number,
  now: Counters,
  prev: { accepted: number; delivered: number; at: number } | undefined,
  at: number,
  words: CounterWords = DEFAULT_WORDS,
): string {
  const acc = formatRate(
    instantRate(prev && { count: prev.accepted, at: prev.at }, { count: now.accepted, at }),
  );
  const del = formatRate(
    instantRate(prev && { count: prev.delivered, at: prev.at }, { count: now.delivered, at }),
  );
  const failed = now.failed > 0 ? `  failed ${now.failed}` : '';
  return `[${label}] ${(elapsedMs / 1000).toFixed(0).padStart(4)}s  ${words.accepted} ${now.accepted} (${acc})  ${words.delivered} ${now.delivered}/${now.expected} (${del})${failed}`;
}

/** Prints a progress line every `everyMs` until stopped. */
export function startProgress(
  label: string,
  everyMs: number,
  read: () => Counters,
  print: (line: string) => void,
  words: CounterWords = DEFAULT_WORDS,
) {
  const started = Date.now();
  let prev: { accepted: number; delivered: number; at: number } | undefined;
  const tick = () => {
    const at = Date.now();
    const c = read();
    print(progressLine(label, at - started, c, prev, at, words));
    prev = { accepted: c.accepted, delivered: c.delivered, at };
  };
  const timer = setInterval(tick, everyMs);
  return {
    stop(): void {
      clearInterval(timer);
      tick();
    },
  };
}
