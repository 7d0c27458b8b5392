import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './infra';
import { freePort } from './senders';

const ROOT = path.resolve(__dirname, '..', '..');

/** One scrape job: every target is `host:port`, scraped at `/metrics`. */
export interface ScrapeJob {
  job: string;
  targets: string[];
}

/** A series of an instant or range query (`/api/v1/query`, `/api/v1/query_range`). */
export interface PromSeries {
  metric: Record<string, string>;
  /** Instant queries: one sample. */
  value?: [number, string];
  /** Range queries: the samples over the range. */
  values?: [number, string][];
}

export interface PromResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: PromSeries[];
}

export interface PrometheusProcess {
  url: string;
  /** `/api/v1/query` at `time` (epoch seconds; now if absent). Throws with Prometheus's error. */
  query(expr: string, time?: number): Promise<PromResult>;
  /** `/api/v1/query_range` from `start` to `end` (epoch seconds), one sample every `stepSeconds`. */
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<PromResult>;
  /** The values of a label over the series matching `match` (what Grafana's label_values reads). */
  labelValues(label: string, match: string): Promise<string[]>;
  /** Resolves once every target of every job has been scraped and is up. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  /**
   * Resolves once every target has been scraped successfully `count` times after the call (each
   * round waits for every target's lastScrape to be later than the round's start), so what the
   * services counted before the call is in the TSDB, `count` samples deep.
   */
  waitForScrapes(count: number, timeoutMs?: number): Promise<void>;
  /** The last lines Prometheus logged, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The directory holding `prometheus` and `promtool` (Debian's package, unpacked by infra/prometheus.sh). */
export function prometheusBinDir(): string {
  // A bound, because a synchronous call blocks Jest's own timeout (unpacking takes seconds).
  return execFileSync(path.join(ROOT, 'infra', 'prometheus.sh'), ['bin'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  }).trim();
}

/**
 * The real Prometheus as a child process on a free loopback port, with a throw-away TSDB, scraping
 * `jobs` every `scrapeIntervalSeconds`. Stop it with stop() (SIGTERM, then SIGKILL after 10 s).
 */
export async function startPrometheus(
  jobs: ScrapeJob[],
  opts: { scrapeIntervalSeconds?: number } = {},
): Promise<PrometheusProcess> {
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  // JSON is YAML: Prometheus reads it as its config.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: jobs.map((j) => ({ job_name: j.job, static_configs: [{ targets: j.targets }] })),
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const port = await freePort();
  const child: ChildProcess = spawn(
    path.join(prometheusBinDir(), 'prometheus'),
    [
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      '--web.console.templates=/nonexistent',
      '--web.console.libraries=/nonexistent',
      `--config.file=${configFile}`,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const keep = (b: Buffer) => {
    lines.push(b.toString());
    if (lines.length > 100) lines.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const output = () => lines.join('').slice(-3000);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const api = async <T>(p: string, params: Record<string, string>): Promise<T> => {
    const res = await fetch(`${url}${p}?${new URLSearchParams(params).toString()}`, {
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { status: string; data?: T; error?: string; errorType?: string };
    if (body.status !== 'success' || body.data === undefined) {
      throw new Error(
        `Prometheus ${p} ${JSON.stringify(params)}: ${body.errorType ?? res.status} ${body.error ?? ''}`,
      );
    }
    return body.data;
  };

  try {
    await waitFor(
      `Prometheus ready on :${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${output()}`);
        return (await fetch(`${url}/-/ready`)).status === 200;
      },
      30_000,
      200,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const expected = jobs.reduce((n, j) => n + j.targets.length, 0);
  // lastScrape: when the last scrape started (RFC 3339), on this machine's clock like Date.now().
  const activeTargets = async () =>
    (
      await api<{ activeTargets: { health: string; lastScrape: string }[] }>('/api/v1/targets', {
        state: 'active',
      })
    ).activeTargets;

  return {
    url,
    query: (expr, time) =>
      api<PromResult>('/api/v1/query', { query: expr, ...(time ? { time: String(time) } : {}) }),
    queryRange: (expr, start, end, step) =>
      api<PromResult>('/api/v1/query_range', {
        query: expr,
        start: String(start),
        end: String(end),
        step: String(step),
      }),
    labelValues: (label, match) =>
      api<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, { 'match[]': match }),
    async waitForTargetsUp(timeoutMs = 30_000) {
      await waitFor(
        `${expected} scrape targets up`,
        async () => {
          const targets = await activeTargets();
          return targets.length === expected && targets.every((t) => t.health === 'up');
        },
        timeoutMs,
        250,
      );
    },
    async waitForScrapes(count, timeoutMs = 30_000) {
      for (let round = 1; round <= count; round++) {
        const mark = Date.now();
        await waitFor(
          `${expected} scrape targets scraped and up after ${new Date(mark).toISOString()} (round ${round} of ${count})`,
          async () => {
            const targets = await activeTargets();
            return (
              targets.length === expected &&
              targets.every((t) => t.health === 'up' && Date.parse(t.lastScrape) > mark)
            );
          },
          timeoutMs,
          100,
        );
      }
    },
    output,
    stop,
  };
}
