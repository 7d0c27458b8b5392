/** The benchmark's settings: command-line arguments and the environment, parsed once. */

export const SCENARIOS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** How (c) deploys the services: one process each, or the laned ones split (stack/herald.ts). */
export const LAYOUTS = ['single', 'split'] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface BenchSettings {
  /** Notifications per phase of (a), records of (b), and of (e)'s throughput phase. */
  n: number;
  scenarios: Scenario[];
  quick: boolean;
  /** Sandbox latencies (ms) each phase of (a) runs at. */
  latenciesMs: number[];
  users: number;
  /** Concurrent connections of the single-endpoint phase (a2). */
  connections: number;
  /** Items per request and concurrent requests of the batch phase (a3). */
  batchSize: number;
  batchConcurrency: number;
  /** Records per producer.sendBatch when producing straight to Kafka. */
  produceBatch: number;
  isolation: { backlog: number; criticalPerSecond: number; criticalSeconds: number };
  /** The layouts (c) runs in, one after the other, each on a stack of its own. */
  isolationLayouts: Layout[];
  /**
   * (e): records due over `spreadMs` from `leadMs` on (release accuracy), keyed by `keys` users;
   * then N records all due `dueAfterMs` after production starts (forwarding throughput).
   */
  delay: { accuracyRecords: number; leadMs: number; spreadMs: number; keys: number; dueAfterMs: number };
  /** (f): the size of the router's user table. */
  router: { users: number };
  /** (g): messages of the unmeasured warm-up before each phase, on the same dispatchers. */
  dispatch: { warmup: number };
  /** A phase gives up waiting when nothing was delivered for this long. */
  stallMs: number;
  progressEveryMs: number;
  sampleEveryMs: number;
}

export const USAGE = `usage: ./dev bench [--n N] [--scenarios a,b,c,d,e,f,g] [--quick] [--latencies 0,50] [--users U]
                   [--layouts single,split]
  --n N            notifications per phase of (a), records of (b), (e2) and (f), messages per phase of (g)
                   (default 100000; --quick 2000)
  --scenarios L    which scenarios to run (default a,b,c,d,e,f,g):
                     a  Herald throughput and latency: Kafka produce (a1), POST /v1/notifications (a2),
                        POST /v1/notifications/batch (a3), at each sandbox latency
                     b  a bare kafkajs relay over the same hops, for comparison
                     c  priority isolation: critical trickle behind a low backlog
                     d  CPU and peak RSS per process during (a) (needs a)
                     e  the dlq's delay engine: release accuracy (e1, 10000 records due over 30 s) and
                        forwarding throughput (e2, N records due together), on one dlq process each
                     f  the router alone with dedup, preferences, quiet hours, caps and rules active:
                        decisions per second on 100000 users (10000 with --quick)
                     g  the dispatchers alone, N rendered messages each phase: one SMS dispatcher at
                        0 ms (g1) and 50 ms (g2), 2 and 4 replicas at 50 ms (g3x2, g3x4), one email
                        dispatcher at 0 and 50 ms (g1e, g2e)
  --quick          small sizes for a quick look (N 2000, 1000 users, backlog 5000, 1000 records in e1)
  --latencies L    sandbox latencies in ms for (a) (default 0,50)
  --users U        users in the bench database (default 10000; --quick 1000)
  --layouts L      how (c) runs the services, one layout after the other (default single,split):
                     single  one process per service
                     split   router and dispatchers twice: a replica for critical alone, one for the rest
Results: a summary table, and every figure in .run/bench/bench-<timestamp>.json (docs/benchmarks.md).`;

export type ParsedArgs =
  { ok: true; settings: BenchSettings } | { ok: false; help: boolean; problems: string[] };

function positiveInt(name: string, raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1) {
    problems.push(`${name} must be a positive integer, got '${raw ?? ''}'`);
    return undefined;
  }
  return Number(raw);
}

/**
 * Parses `--n N --scenarios a,b --quick --latencies 0,50 --users U --layouts single,split` (also
 * `--n=N`), listing every problem.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const problems: string[] = [];
  const given = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help' || arg === 'help') return { ok: false, help: true, problems: [] };
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) {
      problems.push(`unexpected argument '${arg}'`);
      continue;
    }
    const name = m[1];
    if (name === 'quick') {
      given.set(name, 'true');
    } else if (['n', 'scenarios', 'latencies', 'users', 'layouts'].includes(name)) {
      given.set(name, m[2] ?? argv[++i]);
    } else {
      problems.push(`unknown option '--${name}'`);
    }
  }
  const quick = given.has('quick');
  const n = given.has('n') ? positiveInt('--n', given.get('n'), problems) : quick ? 2000 : 100_000;
  const users = given.has('users')
    ? positiveInt('--users', given.get('users'), problems)
    : quick
      ? 1000
      : 10_000;

  let scenarios: Scenario[] = [...SCENARIOS];
  if (given.has('scenarios')) {
    const list = (given.get('scenarios') ?? '').split(',').map((s) => s.trim().toLowerCase());
    const unknown = list.filter((s) => !SCENARIOS.includes(s as Scenario));
    if (unknown.length > 0 || list.length === 0)
      problems.push(
        `--scenarios takes a comma-separated list of ${SCENARIOS.join(', ')}, got '${given.get('scenarios') ?? ''}'`,
      );
    scenarios = SCENARIOS.filter((s) => list.includes(s));
    if (scenarios.includes('d') && !scenarios.includes('a'))
      problems.push('scenario d samples the processes during (a): add a (--scenarios a,d)');
  }

  let latenciesMs = [0, 50];
  if (given.has('latencies')) {
    const raw = given.get('latencies') ?? '';
    const list = raw.split(',').map((s) => s.trim());
    if (list.some((s) => !/^\d+$/.test(s) || Number(s) > 60_000))
      problems.push(`--latencies takes milliseconds from 0 to 60000, comma-separated, got '${raw}'`);
    latenciesMs = [...new Set(list.map(Number))];
  }

  let isolationLayouts: Layout[] = [...LAYOUTS];
  if (given.has('layouts')) {
    const raw = given.get('layouts') ?? '';
    const list = raw.split(',').map((s) => s.trim().toLowerCase());
    if (list.some((s) => !LAYOUTS.includes(s as Layout)))
      problems.push(`--layouts takes a comma-separated list of ${LAYOUTS.join(', ')}, got '${raw}'`);
    isolationLayouts = LAYOUTS.filter((l) => list.includes(l));
  }

  if (problems.length > 0 || n === undefined || users === undefined)
    return { ok: false, help: false, problems };
  return {
    ok: true,
    settings: {
      n,
      scenarios,
      quick,
      latenciesMs,
      users,
      connections: 32,
      batchSize: 1000,
      batchConcurrency: 4,
      produceBatch: 2000,
      isolation: quick
        ? { backlog: 5000, criticalPerSecond: 10, criticalSeconds: 5 }
        : { backlog: 50_000, criticalPerSecond: 20, criticalSeconds: 10 },
      isolationLayouts,
      // Due times start once production is surely over (it runs at well above 5,000/s), so what is
      // measured is the engine's, not a record handed over after it fell due.
      delay: {
        accuracyRecords: quick ? 1000 : 10_000,
        leadMs: 3000,
        spreadMs: 30_000,
        keys: 1000,
        dueAfterMs: 3000 + Math.ceil(n / 5),
      },
      router: { users: quick ? 10_000 : 100_000 },
      dispatch: { warmup: Math.min(1000, Math.ceil(n / 10)) },
      stallMs: quick ? 30_000 : 60_000,
      progressEveryMs: 3000,
      sampleEveryMs: 500,
    },
  };
}

/**
 * Service settings the benchmark passes on to the services when they are set (and records). Not
 * DELAY_TIERS: (e) provisions and produces for the default tiers.
 */
const FORWARDED =
  /^(ROUTER|DISPATCH|DLQ|INGEST|TEMPLATE|IDEMPOTENCY|PUBLISH|PUBLISHER|CONSUMER|ENGINE|PROJECTION)_|^KAFKA_PUBLISH_\w+$|^(BODY_LIMIT_BYTES|KAFKA_SESSION_TIMEOUT_MS|NODE_OPTIONS|DELAY_HORIZON_MS|DELAY_CONCURRENCY|DELAY_FETCH_WAIT_MS)$/;

export interface BenchEnv {
  brokers: string[];
  registryUrl: string;
  redisUrl: string;
  /** A database URL whose name is replaced by each scenario's own database. */
  postgresUrl: string;
  /** LOG_LEVEL of the services (warn unless set: per-notification info lines cost CPU). */
  logLevel: string;
  /** Service variables found in the environment and passed on. */
  serviceEnv: Record<string, string>;
  path: string;
  /** BENCH_CPU_PROFILE=1: every service writes a V8 CPU profile into the run's log folder on exit. */
  cpuProfile: boolean;
}

export function loadEnv(env: Record<string, string | undefined> = process.env): BenchEnv {
  const serviceEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (FORWARDED.test(k) && v !== undefined) serviceEnv[k] = v;
  return Object.freeze({
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    registryUrl: env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
    // Its own Redis database: delivery and idempotency keys never meet dev's (0) or the tests' (15).
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13',
    postgresUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    logLevel: env.LOG_LEVEL ?? 'warn',
    serviceEnv,
    path: env.PATH ?? '',
    cpuProfile: env.BENCH_CPU_PROFILE === '1',
  });
}
