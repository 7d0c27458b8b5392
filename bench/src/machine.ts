import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What ran the benchmark: the machine and the versions of what was measured. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  kernel: string;
  loadAverage: number[];
}

export interface Versions {
  node: string;
  kafka: string | null;
  kafkajs: string | null;
  gitCommit: string | null;
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m?.[1]) return m[1];
  } catch {
    // Not Linux, or no os-release: the platform name will do.
  }
  return `${os.type()} ${os.platform()}`;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: osName(),
    kernel: os.release(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The Kafka version infra/ runs: the one pin in infra/pom.xml. */
export function kafkaVersion(pom: string): string | null {
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? null;
}

export function versions(root: string): Versions {
  const safe = <T>(f: () => T): T | null => {
    try {
      return f();
    } catch {
      return null;
    }
  };
  return {
    node: process.version,
    kafka: safe(() => kafkaVersion(readFileSync(path.join(root, 'infra', 'pom.xml'), 'utf8'))),
    kafkajs: safe(
      () =>
        (JSON.parse(readFileSync(require.resolve('kafkajs/package.json'), 'utf8')) as { version: string })
          .version,
    ),
    gitCommit: safe(() => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()),
  };
}
