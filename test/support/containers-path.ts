/**
 * Which infrastructure the integration tests run on: containers (testcontainers) where a Docker
 * engine answers, else the local processes (infra/*.sh). Pure: the engine probe is passed in.
 */
import type { TestAddresses } from './env';

export type InfraPath = 'local' | 'containers';

/** The variable that forces a path; unset or empty means "containers if an engine answers". */
export const FORCE_VARIABLE = 'HERALD_TEST_INFRA';

/** What asking for a container runtime gave: its description, or why none answered. */
export type EngineAnswer = { answered: true; runtime: string } | { answered: false; reason: string };

export type PathChoice =
  { path: 'local'; why: string } | { path: 'containers'; runtime: string; why: string };

export function parseForcedPath(value: string | undefined): InfraPath | undefined {
  const v = value?.trim().toLowerCase() ?? '';
  if (v === '') return undefined;
  if (v === 'local' || v === 'containers') return v;
  throw new Error(`${FORCE_VARIABLE} must be "local" or "containers" (or unset), not "${value}"`);
}

/** Decides the path; `probe` is asked only when the answer matters (never when forced local). */
export async function choosePath(
  forcedValue: string | undefined,
  probe: () => Promise<EngineAnswer>,
): Promise<PathChoice> {
  const forced = parseForcedPath(forcedValue);
  if (forced === 'local') return { path: 'local', why: `${FORCE_VARIABLE}=local` };
  const answer = await probe();
  if (answer.answered) {
    const why = forced ? `${FORCE_VARIABLE}=containers` : 'a Docker engine answered';
    return { path: 'containers', runtime: answer.runtime, why };
  }
  if (forced === 'containers') {
    throw new Error(
      `${FORCE_VARIABLE}=containers, but no Docker engine answered (${answer.reason}). ` +
        `Start Docker or set DOCKER_HOST, or unset ${FORCE_VARIABLE} to run on the local processes.`,
    );
  }
  return { path: 'local', why: `no Docker engine answered: ${answer.reason}` };
}

/** A URL with its password replaced, for output (the containers' database has one). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** The one line the integration run prints about its infrastructure. */
export function describeChoice(
  choice: PathChoice,
  a: TestAddresses,
  images?: Record<string, string>,
): string {
  const at = (name: string, address: string) =>
    images?.[name] ? `${name} ${images[name]} at ${address}` : `${name} ${address}`;
  const where = [
    at('kafka', a.brokers.join(',')),
    at('registry', a.registryUrl),
    at('postgres', redactUrl(a.databaseUrl)),
    at('redis', redactUrl(a.redisUrl)),
  ].join(', ');
  const how =
    choice.path === 'local'
      ? `local processes (${choice.why})`
      : `testcontainers (${choice.runtime}; ${choice.why})`;
  return `[integration] infrastructure: ${how}: ${where}`;
}
