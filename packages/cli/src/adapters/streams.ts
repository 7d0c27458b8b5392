/**
 * Ends the process quietly (exit 0) when the reader of the stream goes away, as in
 * `herald tail … | head`: what is left to print has no one to read it, which is no failure. Any
 * other error of the stream is rethrown, as it would be without a listener.
 */
export function exitOnBrokenPipe(stream: NodeJS.EventEmitter, exit: (code: number) => void): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return exit(0);
    throw err;
  });
}
