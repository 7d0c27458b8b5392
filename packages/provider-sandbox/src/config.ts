/** The sandbox's configuration, parsed once from the environment. */
export interface SandboxConfig {
  readonly port: number;
  readonly host: string;
  readonly logger: boolean;
}

export class SandboxConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SandboxConfigError';
  }
}

/** Reads SANDBOX_PORT (8025), SANDBOX_HOST (127.0.0.1) and SANDBOX_LOG (true), listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): SandboxConfig {
  const problems: string[] = [];
  const rawPort = env.SANDBOX_PORT ?? '8025';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535)
    problems.push(`SANDBOX_PORT must be a port number, got '${rawPort}'`);
  const host = env.SANDBOX_HOST ?? '127.0.0.1';
  if (host.trim() === '') problems.push('SANDBOX_HOST must not be empty');
  const rawLog = env.SANDBOX_LOG ?? 'true';
  if (!['true', 'false', '1', '0'].includes(rawLog))
    problems.push(`SANDBOX_LOG must be true or false, got '${rawLog}'`);
  if (problems.length > 0) throw new SandboxConfigError(problems);
  return Object.freeze({ port, host, logger: rawLog === 'true' || rawLog === '1' });
}
