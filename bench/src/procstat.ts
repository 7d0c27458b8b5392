import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU and memory of processes from /proc, sampled while a phase runs (scenario d). */

export interface CpuTicks {
  utime: number;
  stime: number;
}

/** utime and stime (fields 14 and 15, in clock ticks) of /proc/<pid>/stat; the name may hold spaces. */
export function parseStat(text: string): CpuTicks | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // After "pid (comm) " the fields start at field 3 (state).
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? { utime, stime } : null;
}

/** VmRSS of /proc/<pid>/status in bytes, or null (a zombie has none). */
export function parseRss(text: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return m?.[1] ? Number(m[1]) * 1024 : null;
}

/** Busy and total jiffies of all cores from the first line of /proc/stat (idle and iowait are not busy). */
export function parseMachineStat(text: string): { busy: number; total: number } | null {
  const line = text.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) return null;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return null;
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

function machineStat(): { busy: number; total: number } | null {
  try {
    return parseMachineStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Share of all cores' time that was busy between two /proc/stat readings, in percent. */
export function busyPercent(
  a: { busy: number; total: number } | null,
  b: { busy: number; total: number } | null,
): number | null {
  if (!a || !b || b.total <= a.total) return null;
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10;
}

export interface ProcessUsage {
  name: string;
  pid: number;
  /** User plus system CPU time spent during the sampled span. */
  cpuSeconds: number;
  /** cpuSeconds over the wall time: 100 is one core kept busy. */
  cpuPercent: number;
  peakRssMb: number;
  samples: number;
}

export interface Watched {
  name: string;
  pid: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function read(pid: number): { ticks: CpuTicks | null; rss: number | null } {
  try {
    return {
      ticks: parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      rss: parseRss(readFileSync(`/proc/${pid}/status`, 'utf8')),
    };
  } catch {
    return { ticks: null, rss: null };
  }
}

/** Samples every `everyMs` until stopped; `stop()` gives each process's usage over the span. */
export function startSampler(procs: readonly Watched[], everyMs: number) {
  const started = Date.now();
  const machineAtStart = machineStat();
  const first = procs.map((p) => read(p.pid).ticks);
  const last = [...first];
  const peak = procs.map(() => 0);
  const samples = procs.map(() => 0);
  const sample = () => {
    procs.forEach((p, i) => {
      const { ticks, rss } = read(p.pid);
      if (ticks) last[i] = ticks;
      if (rss !== null) {
        peak[i] = Math.max(peak[i] ?? 0, rss);
        samples[i] = (samples[i] ?? 0) + 1;
      }
    });
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    /** Busy share of the whole machine (every core, every process, ours or not) since the start. */
    machineBusyPercent: (): number | null => busyPercent(machineAtStart, machineStat()),
    stop(): ProcessUsage[] {
      clearInterval(timer);
      sample();
      const wallSeconds = Math.max(0.001, (Date.now() - started) / 1000);
      const hz = ticksPerSecond();
      return procs.map((p, i) => {
        const a = first[i];
        const b = last[i];
        const cpuSeconds = a && b ? (b.utime + b.stime - a.utime - a.stime) / hz : 0;
        return {
          name: p.name,
          pid: p.pid,
          cpuSeconds: Math.round(cpuSeconds * 100) / 100,
          cpuPercent: Math.round((cpuSeconds / wallSeconds) * 1000) / 10,
          peakRssMb: Math.round(((peak[i] ?? 0) / 1024 / 1024) * 10) / 10,
          samples: samples[i] ?? 0,
        };
      });
    },
  };
}

/** The busiest process of a phase: the one to look at first when asking what bounded it. */
export function busiest(usage: readonly ProcessUsage[]): ProcessUsage | undefined {
  return [...usage].sort((a, b) => b.cpuPercent - a.cpuPercent)[0];
}
