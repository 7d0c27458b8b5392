import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { USAGE, loadEnv, parseArgs } from './config';
import type { BenchContext } from './context';
import { machineInfo, versions } from './machine';
import { compare, summaryText } from './report';
import { isolationName, runIsolation } from './scenarios/isolation';
import type { IsolationResult } from './scenarios/isolation';
import { runDelayAccuracy, runDelayThroughput } from './scenarios/delay';
import type { DelayResult } from './scenarios/delay';
import type { DispatchPhaseResult, DispatchResult } from './dispatch-stats';
import { DISPATCH_PHASES, runDispatchPhase } from './scenarios/dispatch';
import { runRelay } from './scenarios/relay';
import { runRouter } from './scenarios/router';
import type { RelayResult } from './scenarios/relay';
import { runThroughput } from './scenarios/throughput';
import type { ThroughputResult } from './scenarios/throughput';
import { seededRandom } from './workload';

const ROOT = path.resolve(__dirname, '..', '..');

/** ./dev bench: runs the scenarios asked for, prints a summary and writes every figure as JSON. */
async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if (parsed.help) {
      console.log(USAGE);
      return 0;
    }
    console.error(`${parsed.problems.map((p) => `bench: ${p}`).join('\n')}\n\n${USAGE}`);
    return 2;
  }
  const { settings } = parsed;
  const env = loadEnv();
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = path.join(ROOT, '.run', 'bench');
  const logDir = path.join(outDir, 'logs', stamp);
  mkdirSync(logDir, { recursive: true });

  const cleanups = new Set<() => Promise<unknown>>();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.log(`\n${signal}: stopping the stacks and removing their topics and databases (again to force)`);
    void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const ctx: BenchContext = {
    root: ROOT,
    settings,
    env,
    logDir,
    print: (line) => console.log(line),
    rand: seededRandom(20_251_123),
    onInterrupt: (cleanup) => {
      cleanups.add(cleanup);
      return () => cleanups.delete(cleanup);
    },
  };
  const want = (s: 'a' | 'b' | 'c' | 'e' | 'f' | 'g') => settings.scenarios.includes(s);
  const machine = machineInfo();
  const vers = versions(ROOT);
  console.log(
    `Herald bench: N=${settings.n}, scenarios ${settings.scenarios.join(',')}, sandbox latencies ${settings.latenciesMs.join('/')} ms` +
      (want('c') ? `, (c) layouts ${settings.isolationLayouts.join(',')}` : '') +
      ` · ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB · node ${vers.node}, Kafka ${vers.kafka ?? '?'}` +
      ` · logs in ${path.relative(ROOT, logDir)}`,
  );

  const errors: { scenario: string; message: string }[] = [];
  const attempt = async <T>(scenario: string, run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`(${scenario}) failed: ${message}`);
      errors.push({ scenario, message });
      return undefined;
    }
  };
  const a: ThroughputResult | undefined = want('a')
    ? await attempt('a', () => runThroughput(ctx))
    : undefined;
  const b: RelayResult | undefined = want('b') ? await attempt('b', () => runRelay(ctx)) : undefined;
  // (c) once per layout, each on a stack of its own; one that fails leaves the others to run.
  const c: IsolationResult[] = [];
  for (const layout of want('c') ? settings.isolationLayouts : []) {
    const result = await attempt(isolationName(layout), () => runIsolation(ctx, layout));
    if (result) c.push(result);
  }
  // (e) two phases, each on a dlq of its own; one that fails leaves the other to run.
  let e: DelayResult | undefined;
  if (want('e')) {
    const accuracy = await attempt('e1', () => runDelayAccuracy(ctx));
    const throughput = await attempt('e2', () => runDelayThroughput(ctx));
    if (accuracy || throughput)
      e = { ...(accuracy ? { accuracy } : {}), ...(throughput ? { throughput } : {}) };
  }
  const f = want('f') ? await attempt('f', () => runRouter(ctx)) : undefined;
  // (g) phase by phase, each on dispatchers of its own; one that fails leaves the others to run.
  const gPhases: DispatchPhaseResult[] = [];
  for (const spec of want('g') ? DISPATCH_PHASES : []) {
    const result = await attempt(spec.name, () => runDispatchPhase(ctx, spec));
    if (result) gPhases.push(result);
  }
  const g: DispatchResult | undefined = gPhases.length > 0 ? { phases: gPhases } : undefined;
  const comparison = compare(a, b);

  const finishedAt = new Date();
  const result = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
    machine: { ...machine, loadAverageAtEnd: machineInfo().loadAverage },
    versions: vers,
    settings: {
      ...settings,
      serviceLogLevel: env.logLevel,
      envOverrides: env.serviceEnv,
      brokers: env.brokers,
      registryUrl: env.registryUrl,
      redisUrl: env.redisUrl,
    },
    scenarios: {
      ...(a ? { a } : {}),
      ...(b ? { b } : {}),
      ...(c.length > 0 ? { c } : {}),
      ...(a && settings.scenarios.includes('d') ? { d: 'per phase, in scenarios.a.phases[].processes' } : {}),
      ...(e ? { e } : {}),
      ...(f ? { f } : {}),
      ...(g ? { g } : {}),
    },
    ...(comparison ? { comparison } : {}),
    errors,
  };
  const file = path.join(outDir, `bench-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\n${summaryText({ a, b, c, e, f, g, comparison, errors })}\n\nEvery figure: ${path.relative(ROOT, file)}`,
  );
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
