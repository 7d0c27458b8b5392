import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** Helpers for test/ops/compose.test.ts: docker-compose.yml, the Dockerfile and the tools. */
export const root = path.resolve(__dirname, '../..');

export interface Healthcheck {
  test?: string[] | string;
  disable?: boolean;
}
export interface DependsOn {
  condition?: string;
}
export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[] | string;
  environment?: Record<string, string | number | null>;
  env_file?: string | string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, DependsOn> | string[];
  healthcheck?: Healthcheck;
  restart?: string;
  stop_grace_period?: string;
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export const readText = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** docker-compose.yml as Compose reads it: anchors resolved and `<<` merge keys applied. */
export function readCompose(file = 'docker-compose.yml'): ComposeFile {
  return parse(readText(file), { merge: true }) as ComposeFile;
}

/** A property of infra/pom.xml (the single source of infrastructure versions), as infra/lib.sh reads it. */
export function pomProperty(name: string): string {
  const match = new RegExp(`<${name}>([^<]+)</${name}>`).exec(readText('infra/pom.xml'));
  if (!match?.[1]) throw new Error(`<${name}> not found in infra/pom.xml`);
  return match[1].trim();
}

/** `KEY=value` of every `export KEY=value` line of a shell script (literal values only). */
export function exportedVariables(file: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const m of readText(file).matchAll(/^\s*export\s+([A-Z0-9_]+)=("?)([^"\s$]*)\2\s*$/gm)) {
    vars.set(m[1] as string, m[3] as string);
  }
  return vars;
}

/** Splits an image reference into repository and tag. */
export function imageRef(image: string): { repository: string; tag: string } {
  const at = image.lastIndexOf(':');
  if (at <= image.lastIndexOf('/')) return { repository: image, tag: 'latest' };
  return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

/** depends_on in its long form; the short (list) form has no condition and maps to undefined ones. */
export function dependencies(service: ComposeService): Map<string, string | undefined> {
  const deps = service.depends_on;
  if (deps === undefined) return new Map();
  if (Array.isArray(deps)) return new Map(deps.map((d) => [d, undefined]));
  return new Map(Object.entries(deps).map(([name, d]) => [name, d.condition]));
}

/** Bind mounts (`./host:/container[:mode]`) as host path (relative to the repo) and container path. */
export function bindMounts(service: ComposeService): { host: string; target: string }[] {
  return (service.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([host]) => host !== undefined && (host.startsWith('./') || host.startsWith('../')))
    .map(([host, target]) => ({ host: path.normalize(host as string), target: target as string }));
}

/** `HOST:CONTAINER` port mappings as numbers. */
export function portMappings(service: ComposeService): { host: number; container: number }[] {
  return (service.ports ?? []).map((p) => {
    const parts = p.split(':');
    return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]) };
  });
}

/** Seconds of a Compose duration such as `40s`, `1m30s`. */
export function durationSeconds(value: string): number {
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(n) * ({ ms: 0.001, s: 1, m: 60, h: 3600 } as Record<string, number>)[unit as string]!;
  }
  return total;
}

export interface RunResult {
  status: number | null;
  output: string;
}

/**
 * How long a tool may run before it is killed (SIGTERM). Synchronous calls block Jest's own test
 * timeout, so a tool that hangs (a prompt, a lock never released) would otherwise stall the run.
 */
export const TOOL_TIMEOUT_MS = 240_000;

/** Why a spawnSync result did not run to completion, or undefined if it did. */
export function spawnFailure(
  what: string,
  result: { error?: NodeJS.ErrnoException },
  timeoutMs: number,
): string | undefined {
  if (result.error?.code === 'ETIMEDOUT') {
    return `${what} did not finish within ${timeoutMs / 1000} s and was killed`;
  }
  if (result.error) return `${what} did not run: ${result.error.message}`;
  return undefined;
}

/** Runs a command in the repository, stdout and stderr together. */
export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): RunResult {
  const timeoutMs = opts.timeoutMs ?? TOOL_TIMEOUT_MS;
  const result = spawnSync(command, args, {
    cwd: opts.cwd ?? root,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  const failure = spawnFailure(`${command} ${args.join(' ')}`, result, timeoutMs);
  if (failure) throw new Error(`${failure}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Like run, but fails with the command's output unless it exits 0. */
export function runOk(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): string {
  const result = run(command, args, opts);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.output}`);
  }
  return result.output;
}

/** stdout alone of a command that must succeed (for commands whose stdout is data). */
export function stdoutOf(command: string, args: string[]): string {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: TOOL_TIMEOUT_MS,
  });
  const failure = spawnFailure(`${command} ${args.join(' ')}`, result, TOOL_TIMEOUT_MS);
  if (failure) throw new Error(`${failure}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}
