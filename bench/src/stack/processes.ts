import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A node process the benchmark started, its output going to a log file. */
export interface Child {
  name: string;
  pid: number;
  child: ChildProcess;
  exit: Promise<number | null>;
  logFile: string;
}

export function spawnNode(
  name: string,
  entry: string,
  opts: {
    args?: string[];
    /** Flags for node itself (before the entry): --cpu-prof, say. */
    nodeArgs?: string[];
    env: Record<string, string>;
    cwd: string;
    logFile: string;
    ipc?: boolean;
  },
): Child {
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), entry, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: opts.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      log.end();
      resolve(code);
    }),
  );
  if (child.pid === undefined) throw new Error(`could not start ${name} (${entry})`);
  return { name, pid: child.pid, child, exit, logFile: opts.logFile };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
export async function stopChild(c: Child, graceMs = 30_000): Promise<number | null> {
  if (c.child.exitCode !== null || c.child.signalCode !== null) return c.child.exitCode;
  c.child.kill('SIGTERM');
  const timer = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
  try {
    return await c.exit;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until the check is truthy, or fails with what was last seen. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
