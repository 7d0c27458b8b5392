import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchEnv, BenchSettings } from './config';
import type { Watched } from './procstat';

/** What every scenario is given by main.ts. */
export interface BenchContext {
  root: string;
  settings: BenchSettings;
  env: BenchEnv;
  /** Where service logs go (.run/bench/logs/<run>). */
  logDir: string;
  print: (line: string) => void;
  rand: () => number;
  /** Stops this run's stacks if the bench is interrupted; returns the function that unregisters. */
  onInterrupt: (cleanup: () => Promise<unknown>) => () => void;
}

/** Processes outside the stack worth watching too: the bench itself and the local Kafka broker. */
export function infraProcesses(root: string): Watched[] {
  const out: Watched[] = [{ name: 'bench (this process)', pid: process.pid }];
  const pidFile = path.join(root, '.run', 'kafka', 'kafka.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && existsSync(`/proc/${pid}`)) out.push({ name: 'kafka broker', pid });
  }
  return out;
}

/**
 * The local Redis server, found by its process name in /proc (it runs outside the repository's
 * process tree): worth watching where every message costs Redis round trips, as in (g).
 */
export function redisProcess(): Watched | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'redis-server')
        return { name: 'redis', pid: Number(entry) };
    } catch {
      // Gone since the listing, or not ours to read.
    }
  }
  return undefined;
}
