import { loadEnv, parseArgs } from '../src/config';

describe('parseArgs', () => {
  it('defaults to every scenario, N 100000, 10000 users, 0 and 50 ms', () => {
    const r = parseArgs([]);
    expect(r.ok && r.settings).toMatchObject({
      n: 100_000,
      users: 10_000,
      scenarios: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      latenciesMs: [0, 50],
      quick: false,
      connections: 32,
      batchSize: 1000,
      isolation: { backlog: 50_000, criticalPerSecond: 20, criticalSeconds: 10 },
      isolationLayouts: ['single', 'split'],
    });
  });

  it('reads --n, --scenarios, --latencies and --users, with or without =', () => {
    const r = parseArgs(['--n', '20000', '--scenarios=c,a', '--latencies', '0,10,10', '--users=500']);
    expect(r.ok && r.settings).toMatchObject({
      n: 20_000,
      scenarios: ['a', 'c'],
      latenciesMs: [0, 10],
      users: 500,
    });
  });

  it('makes --quick small, and an explicit --n still wins', () => {
    const r = parseArgs(['--quick', '--n', '5000']);
    expect(r.ok && r.settings).toMatchObject({
      n: 5000,
      users: 1000,
      quick: true,
      isolation: { backlog: 5000 },
      isolationLayouts: ['single', 'split'],
    });
  });

  it('reads --layouts, single before split whatever the order given', () => {
    expect(parseArgs(['--layouts', 'split'])).toMatchObject({
      ok: true,
      settings: { isolationLayouts: ['split'] },
    });
    expect(parseArgs(['--layouts=Split, single,split'])).toMatchObject({
      ok: true,
      settings: { isolationLayouts: ['single', 'split'] },
    });
  });

  it('refuses an unknown or empty layout', () => {
    expect(parseArgs(['--layouts', 'single,double'])).toEqual({
      ok: false,
      help: false,
      problems: ["--layouts takes a comma-separated list of single, split, got 'single,double'"],
    });
    expect(parseArgs(['--layouts='])).toEqual({
      ok: false,
      help: false,
      problems: ["--layouts takes a comma-separated list of single, split, got ''"],
    });
    expect(parseArgs(['--layouts'])).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/--layouts/)],
    });
  });

  it('lists every problem', () => {
    const r = parseArgs(['--n', '0', '--scenarios', 'a,x', '--latencies', '-1', '--speed', 'fast']);
    expect(r).toEqual({
      ok: false,
      help: false,
      problems: [
        "unknown option '--speed'",
        "unexpected argument 'fast'",
        "--n must be a positive integer, got '0'",
        "--scenarios takes a comma-separated list of a, b, c, d, e, f, g, got 'a,x'",
        "--latencies takes milliseconds from 0 to 60000, comma-separated, got '-1'",
      ],
    });
  });

  it('needs a for d, and answers --help', () => {
    expect(parseArgs(['--scenarios', 'd'])).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/add a/)],
    });
    expect(parseArgs(['--help'])).toEqual({ ok: false, help: true, problems: [] });
  });
});

describe('loadEnv', () => {
  it('defaults to the dev infrastructure and passes on service settings only', () => {
    const env = loadEnv({ PATH: '/bin', DISPATCH_CONCURRENCY: '16', ROUTER_CONCURRENCY: '8', HOME: '/root' });
    expect(env).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      redisUrl: 'redis://127.0.0.1:6379/13',
      logLevel: 'warn',
      serviceEnv: { DISPATCH_CONCURRENCY: '16', ROUTER_CONCURRENCY: '8' },
    });
  });
});
