import path from 'node:path';
import type { DeliveryPage } from '@herald/provider-sandbox';
import { spawnNode, stopChild, waitFor } from './processes';
import type { Child } from './processes';

const PROVIDERS = ['sendgrid', 'twilio', 'fcm'] as const;

/** The provider sandbox as a child process, and what the benchmark asks of it over HTTP. */
export interface SandboxProcess {
  url: string;
  proc: Child;
  /** Injects the same latency on every provider (0 removes it). */
  setLatency(ms: number): Promise<void>;
  clearDeliveries(): Promise<void>;
  deliveries(after: number): Promise<DeliveryPage>;
  stop(): Promise<void>;
}

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${await res.text()}`);
  return res;
}

export async function startSandbox(opts: {
  root: string;
  port: number;
  logDir: string;
  env: Record<string, string>;
}): Promise<SandboxProcess> {
  const url = `http://127.0.0.1:${opts.port}`;
  const proc = spawnNode('sandbox', path.join(opts.root, 'bench', 'dist', 'sandbox-main.js'), {
    args: [String(opts.port)],
    env: opts.env,
    cwd: opts.root,
    logFile: path.join(opts.logDir, 'sandbox.log'),
  });
  await waitFor(
    `the sandbox on ${url}`,
    async () => {
      if (proc.child.exitCode !== null)
        throw new Error(`sandbox exited (${proc.child.exitCode}), see ${proc.logFile}`);
      return (await fetch(`${url}/healthz`)).ok;
    },
    30_000,
  );
  return {
    url,
    proc,
    async setLatency(ms) {
      if (ms === 0) {
        await call(`${url}/api/faults`, { method: 'DELETE' });
        return;
      }
      for (const provider of PROVIDERS) {
        await call(`${url}/api/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ provider, latencyMs: ms, errorRate: 0, outage: false }),
        });
      }
    },
    async clearDeliveries() {
      await call(`${url}/api/deliveries`, { method: 'DELETE' });
    },
    async deliveries(after) {
      return (await (await call(`${url}/api/deliveries?after=${after}`)).json()) as DeliveryPage;
    },
    async stop() {
      await stopChild(proc, 5000);
    },
  };
}
