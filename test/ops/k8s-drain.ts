import { createLogger, onShutdown } from '@herald/shared';

/**
 * How long a service may take to stop after SIGTERM before it exits anyway: measured on the shutdown
 * path every service installs (onShutdown, with its default deadline), with a drain step that never
 * ends, on fake timers. Signal handlers and process.exit are stubbed, so the test process is untouched.
 */
export async function measureShutdownDeadlineMs(limitMs = 600_000): Promise<number> {
  const handlers = new Map<string, () => void>();
  let exited = false;
  const original = process.on.bind(process);
  const on = jest.spyOn(process, 'on').mockImplementation(((event: string, listener: () => void) => {
    if (event !== 'SIGTERM' && event !== 'SIGINT') return original(event, listener);
    handlers.set(event, listener);
    return process;
  }) as typeof process.on);
  const exit = jest.spyOn(process, 'exit').mockImplementation((() => {
    exited = true;
  }) as typeof process.exit);
  jest.useFakeTimers();
  try {
    onShutdown(createLogger('k8s-test', 'silent'), [
      { name: 'drain', run: () => new Promise<void>(() => {}) },
    ]);
    const sigterm = handlers.get('SIGTERM');
    if (!sigterm) throw new Error('onShutdown installed no SIGTERM handler');
    sigterm();
    let elapsed = 0;
    while (!exited && elapsed < limitMs) {
      await jest.advanceTimersByTimeAsync(100);
      elapsed += 100;
    }
    if (!exited)
      throw new Error(`a service did not exit within ${limitMs} ms of SIGTERM with a drain that hangs`);
    return elapsed;
  } finally {
    jest.useRealTimers();
    on.mockRestore();
    exit.mockRestore();
  }
}
