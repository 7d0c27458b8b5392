import { SingleBar } from 'cli-progress';
import { plainThrottle, progressLine } from '../domain/progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * Progress of a long operation on stderr (stdout stays for results): a bar redrawn in place when
 * stderr is a terminal, else a plain line every few seconds and at the end.
 */
export function startProgress(
  stream: NodeJS.WriteStream,
  label: string,
  total: number,
  opts: { plainEveryMs?: number } = {},
): Progress {
  const started = Date.now();
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} | eta {eta_formatted}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      // A hidden cursor stays hidden if the process is killed mid-bar (Ctrl-C): the terminal's
      // cursor is left alone instead.
      hideCursor: false,
      clearOnComplete: false,
      etaBuffer: 20,
    });
    bar.start(total, 0);
    return {
      update: (done, newTotal) => {
        if (newTotal !== undefined) bar.setTotal(newTotal);
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  const due = plainThrottle(opts.plainEveryMs ?? 2000);
  let current = 0;
  let size = total;
  return {
    update: (done, newTotal) => {
      current = done;
      if (newTotal !== undefined) size = newTotal;
      if (due(current, size, Date.now()))
        stream.write(`${progressLine(label, current, size, Date.now() - started)}\n`);
    },
    stop: () => undefined,
  };
}
