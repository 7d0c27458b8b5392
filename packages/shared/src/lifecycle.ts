import { ConfigError } from './config';
import type { Logger } from './logger';

export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

/**
 * Runs the steps in order on SIGTERM/SIGINT (readiness off, stop fetching, drain, commit, close
 * producers, close pg/redis), then exits. A step that fails is logged and the rest still run; a
 * second signal or the deadline forces the exit.
 */
export function onShutdown(log: Logger, steps: ShutdownStep[], deadlineMs = 25_000): void {
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
      } catch (err) {
        failed = true;
        log.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    log.info('stopped');
    process.exit(failed ? 1 : (process.exitCode ?? 0));
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void stop(signal));
  }
}

/**
 * For main.ts: say why start-up failed and exit non-zero. A configuration problem is the list of
 * variables to fix; anything else keeps its stack for whoever reads the log.
 */
export function exitOnStartFailure(err: unknown): never {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('failed to start:', err);
  process.exit(1);
}
