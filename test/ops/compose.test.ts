import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { deployStep, execForm, parseDockerfile } from './compose-dockerfile';
import type { ComposeFile, ComposeService } from './compose-file';
import {
  bindMounts,
  dependencies,
  durationSeconds,
  exportedVariables,
  imageRef,
  pomProperty,
  portMappings,
  readCompose,
  readText,
  root,
  run,
  runOk,
  stdoutOf,
} from './compose-file';

/**
 * docker-compose.yml and the Dockerfile, checked with the tools this machine has (no Docker engine):
 * Compose's own `config` (the docker client's plugin, or Debian's docker-compose 1.29 that
 * infra/compose.sh unpacks), promtool for Prometheus's configuration, and the Dockerfile's deploy
 * step run as a shell script outside Docker. Then what the tools cannot see: health checks and
 * dependency conditions that make `docker compose up --wait` work, versions shared with infra/,
 * addresses that lead to other containers, files that exist.
 */
const HERALD = ['ingest', 'router', 'dispatcher-email', 'dispatcher-sms', 'dispatcher-push', 'dlq'];
const DISPATCHERS = HERALD.filter((s) => s.startsWith('dispatcher-'));
/** The services' shutdown deadline (onShutdown's default in packages/shared/src/lifecycle.ts). */
const SHUTDOWN_DEADLINE_S = 25;

const compose = readCompose();
const services = compose.services;
const service = (name: string): ComposeService => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const env = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, String(v)]));
/** Services other services wait for with service_completed_successfully: the one-shots. */
const oneShots = new Set(
  Object.values(services).flatMap((s) =>
    [...dependencies(s)].filter(([, c]) => c === 'service_completed_successfully').map(([n]) => n),
  ),
);

/**
 * An environment like the image's for node run on the deployed tree: NODE_ENV=production and no
 * NODE_PATH (pnpm's shims set one that would find the workspace's packages).
 */
function imageEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', ...extra };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  return env;
}

/** The repository file a container path comes from, through the service's bind mounts. */
function hostFile(svc: ComposeService, containerPath: string): string | undefined {
  for (const m of bindMounts(svc)) {
    if (containerPath === m.target) return m.host;
    if (containerPath.startsWith(`${m.target}/`))
      return path.join(m.host, containerPath.slice(m.target.length + 1));
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'herald-compose-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('is accepted by Compose (infra/compose.sh config-check says which Compose it used)', () => {
    const output = runOk('infra/compose.sh', ['config-check']);
    const used = /accepted by (.*)$/m.exec(output)?.[1];
    expect(used).toMatch(/^docker(-| )compose/);
    console.info(`docker-compose.yml accepted by ${used}`);
  }, 300_000);

  it('the same check rejects a file that depends on a service it does not define', () => {
    const broken = parse(readText('docker-compose.yml'), { merge: true }) as ComposeFile;
    broken.services.router!.depends_on = { 'no-such-service': { condition: 'service_healthy' } };
    // Strings quoted: PyYAML (docker-compose 1.x) reads a bare `no` as false.
    writeFileSync(
      path.join(tmp, 'docker-compose.yml'),
      stringify(broken, { defaultStringType: 'QUOTE_SINGLE' }),
    );
    copyFileSync(path.join(root, 'dev.env'), path.join(tmp, 'dev.env'));
    const result = run('infra/compose.sh', ['config-check', path.join(tmp, 'docker-compose.yml')]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-such-service');
  }, 120_000);

  it('every service has a health check, except the one-shot provisioning', () => {
    expect([...oneShots]).toEqual(['provision']);
    for (const [name, s] of Object.entries(services)) {
      if (oneShots.has(name)) {
        expect({ name, healthcheck: s.healthcheck, restart: s.restart ?? 'no' }).toEqual({
          name,
          healthcheck: undefined,
          restart: 'no',
        });
        continue;
      }
      const test = s.healthcheck?.test;
      expect({ name, disabled: s.healthcheck?.disable === true }).toEqual({ name, disabled: false });
      expect({ name, test: Array.isArray(test) ? test[0] : test }).toEqual({
        name,
        test: expect.stringMatching(/^CMD(-SHELL)?$/),
      });
    }
  });

  it('every depends_on names a service of the file and a condition that service can meet', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, condition] of dependencies(s)) {
        const target = services[dep];
        expect({ name, dep, defined: target !== undefined }).toEqual({ name, dep, defined: true });
        expect({ name, dep, condition }).toEqual({
          name,
          dep,
          condition: expect.stringMatching(/^service_(healthy|completed_successfully)$/),
        });
        // service_healthy needs a health check; service_completed_successfully a service that ends.
        if (condition === 'service_healthy')
          expect({ dep, hc: target?.healthcheck?.test }).toEqual({ dep, hc: expect.anything() });
        else expect({ dep, restart: target?.restart ?? 'no' }).toEqual({ dep, restart: 'no' });
      }
    }
  });

  it('each Herald service starts after provisioning completed, on healthy infrastructure', () => {
    // This is also what lets `up --wait` finish: it accepts an exited container only when a running
    // service waits for it with service_completed_successfully.
    for (const name of HERALD) {
      const deps = dependencies(service(name));
      expect({ name, provision: deps.get('provision') }).toEqual({
        name,
        provision: 'service_completed_successfully',
      });
      for (const infra of ['kafka', 'registry', 'postgres', 'redis']) {
        expect({ name, infra, condition: deps.get(infra) }).toEqual({
          name,
          infra,
          condition: 'service_healthy',
        });
      }
    }
    for (const name of DISPATCHERS)
      expect(dependencies(service(name)).get('sandbox')).toBe('service_healthy');
    const provision = dependencies(service('provision'));
    for (const infra of ['kafka', 'registry', 'postgres'])
      expect(provision.get(infra)).toBe('service_healthy');
  });

  it('provisioning runs provision-main.js from the ingest image', () => {
    const provision = service('provision');
    expect(provision.build).toEqual(service('ingest').build);
    expect(provision.command).toEqual(['node', 'node_modules/@herald/shared/dist/provision-main.js']);
  });

  it('runs Kafka at the version the tests use (infra/pom.xml), one KRaft node with replication factor 1', () => {
    const kafka = service('kafka');
    expect(imageRef(kafka.image ?? '')).toEqual({
      repository: 'apache/kafka',
      tag: pomProperty('kafka.version'),
    });
    const e = env('kafka');
    expect(e.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
    expect(e.KAFKA_ADVERTISED_LISTENERS?.split(',')).toContain('PLAINTEXT://kafka:9092');
    expect(e.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${e.KAFKA_NODE_ID}@kafka:9093`);
    expect(e.KAFKA_INTER_BROKER_LISTENER_NAME).toBe('PLAINTEXT');
    for (const rf of [
      'OFFSETS_TOPIC_REPLICATION_FACTOR',
      'TRANSACTION_STATE_LOG_REPLICATION_FACTOR',
      'TRANSACTION_STATE_LOG_MIN_ISR',
    ]) {
      expect({ rf, value: e[`KAFKA_${rf}`] }).toEqual({ rf, value: '1' });
    }
    // The host listener is advertised at the port the host publishes it on.
    const host = /HOST:\/\/127\.0\.0\.1:(\d+)/.exec(e.KAFKA_ADVERTISED_LISTENERS ?? '')?.[1];
    const hostListener = /HOST:\/\/:(\d+)/.exec(e.KAFKA_LISTENERS ?? '')?.[1];
    expect(portMappings(kafka)).toContainEqual({ host: Number(host), container: Number(hostListener) });
    expect(kafka.healthcheck?.test).toContain('/opt/kafka/bin/kafka-broker-api-versions.sh');
  });

  it('runs the registry infra/registry.sh runs: Apicurio at its version, SQL storage in Postgres, deletion on', () => {
    const registry = service('registry');
    expect(imageRef(registry.image ?? '')).toEqual({
      repository: 'apicurio/apicurio-registry',
      tag: pomProperty('apicurio.version'),
    });
    const e = env('registry');
    const infra = exportedVariables('infra/registry.sh');
    const same = [...infra.keys()].filter((k) => /^APICURIO_(STORAGE_|REST_DELETION_)/.test(k));
    expect(same.length).toBeGreaterThanOrEqual(5);
    for (const key of same) expect({ key, value: e[key] }).toEqual({ key, value: infra.get(key) });
    // Its database is the one the Postgres container creates.
    const jdbc = /^jdbc:postgresql:\/\/postgres:5432\/(\w+)$/.exec(e.APICURIO_DATASOURCE_URL ?? '');
    expect(jdbc?.[1]).toBe(env('postgres').POSTGRES_DB);
    expect(e.APICURIO_DATASOURCE_PASSWORD).toBe(env('postgres').POSTGRES_PASSWORD);
  });

  it('every file it mounts, reads or builds from exists in the repository', () => {
    const files: string[] = [];
    for (const s of Object.values(services)) {
      files.push(...bindMounts(s).map((m) => m.host));
      files.push(...[s.env_file ?? []].flat());
      if (s.build) files.push(path.join(s.build.context ?? '.', s.build.dockerfile ?? 'Dockerfile'));
    }
    expect(files.length).toBeGreaterThan(10);
    for (const file of new Set(files))
      expect({ file, exists: existsSync(path.join(root, file)) }).toEqual({ file, exists: true });
  });

  it("sends the containers' traffic to other containers, not to 127.0.0.1 (environments as Compose resolves them)", () => {
    const resolved = parse(stdoutOf('infra/compose.sh', ['run', 'config'])) as ComposeFile;
    const names = new Set(Object.keys(resolved.services));
    for (const name of [...HERALD, 'sandbox', 'provision']) {
      const environment = resolved.services[name]?.environment ?? {};
      expect(Object.keys(environment).length).toBeGreaterThan(5);
      for (const [key, raw] of Object.entries(environment)) {
        const value = String(raw);
        // Links in messages are opened on the host, where ingest's port is published.
        if (key === 'PUBLIC_BASE_URL') {
          expect(portMappings(service('ingest')).map((p) => `http://127.0.0.1:${p.host}`)).toContain(value);
          continue;
        }
        expect({ name, key, loopback: /\b(127\.0\.0\.1|localhost)\b/.test(value) }).toEqual({
          name,
          key,
          loopback: false,
        });
        const hosts =
          key === 'KAFKA_BROKERS'
            ? value.split(',').map((b) => b.split(':')[0])
            : /^[a-z]+:\/\//.test(value)
              ? [new URL(value).hostname]
              : [];
        for (const host of hosts)
          expect({ name, key, host, known: names.has(host ?? '') }).toEqual({ name, key, host, known: true });
      }
    }
  }, 120_000);

  it("sends the sandbox's Twilio status callbacks to ingest, whose public URL they name and are signed over", () => {
    const resolved = parse(stdoutOf('infra/compose.sh', ['run', 'config'])) as ComposeFile;
    const resolvedEnv = (name: string): Record<string, string> =>
      Object.fromEntries(
        Object.entries(resolved.services[name]?.environment ?? {}).map(([k, v]) => [k, String(v)]),
      );
    // dispatcher-sms names its PUBLIC_BASE_URL in StatusCallback; ingest checks the signature over its own.
    const publicBaseUrl = resolvedEnv('dispatcher-sms').PUBLIC_BASE_URL;
    expect(resolvedEnv('ingest').PUBLIC_BASE_URL).toBe(publicBaseUrl);
    // That address is the host's (the previous test): from the sandbox's container, the callbacks go
    // to ingest's container port instead.
    expect(resolvedEnv('sandbox').SANDBOX_TWILIO_CALLBACK_ORIGIN).toBe(
      `http://ingest:${resolvedEnv('ingest').HTTP_PORT}`,
    );
  }, 120_000);

  it("publishes each service on its own port, the one its image's health check asks", () => {
    const { services: byDockerfile } = deployStep(parseDockerfile(readText('Dockerfile'))[0]!);
    for (const name of [...HERALD, 'sandbox']) {
      const e = env(name);
      const port = Number(e.HTTP_PORT ?? e.SANDBOX_PORT);
      const imageService = service(name).build?.args?.SERVICE ?? '';
      expect({ name, port }).toEqual({ name, port: byDockerfile.get(imageService)?.port });
      expect(portMappings(service(name))).toContainEqual({ host: port, container: port });
    }
  });

  it('gives each Herald service longer to stop than its shutdown deadline', () => {
    for (const name of HERALD) {
      const grace = durationSeconds(service(name).stop_grace_period ?? '10s');
      expect({ name, longer: grace > SHUTDOWN_DEADLINE_S }).toEqual({ name, longer: true });
    }
  });

  describe('Prometheus', () => {
    const prometheus = service('prometheus');
    const command = Array.isArray(prometheus.command) ? prometheus.command : [];
    const configPath = command.find((a) => a.startsWith('--config.file='))?.slice('--config.file='.length);
    const configFile = hostFile(prometheus, configPath ?? '');
    interface PromConfig {
      rule_files?: string[];
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
    }
    const config = (): PromConfig => parse(readText(configFile ?? '')) as PromConfig;

    it('reads ops/prometheus/prometheus.yml through its mount', () => {
      expect(configFile).toBe('ops/prometheus/prometheus.yml');
    });

    it('scrapes every Herald service where compose runs it', () => {
      const targets = new Map(
        config().scrape_configs.flatMap((job) =>
          (job.static_configs ?? []).flatMap((sc) => sc.targets.map((t) => [t, job.job_name] as const)),
        ),
      );
      for (const name of HERALD) {
        const target = `${name}:${env(name).HTTP_PORT}`;
        expect({ target, job: targets.get(target) }).toEqual({ target, job: name });
      }
    });

    it('promtool check config accepts it, with the rule files it loads', () => {
      // Prometheus reads the rules at their container paths; promtool reads them from the repo.
      const rules = (config().rule_files ?? []).map((f) => hostFile(prometheus, f));
      expect(rules).toEqual(['ops/prometheus/alerts.yml']);
      for (const file of rules)
        expect({ file, exists: existsSync(path.join(root, file ?? '')) }).toEqual({ file, exists: true });
      const dir = mkdtempSync(path.join(tmpdir(), 'herald-prometheus-'));
      try {
        const copy = { ...config(), rule_files: rules.map((f) => path.join(root, f ?? '')) };
        writeFileSync(path.join(dir, 'prometheus.yml'), stringify(copy));
        const bin = stdoutOf('infra/prometheus.sh', ['bin']).trim();
        const output = runOk(path.join(bin, 'promtool'), [
          'check',
          'config',
          path.join(dir, 'prometheus.yml'),
        ]);
        expect(output).toMatch(/SUCCESS: 1 rule files found/);
        expect(output).toMatch(/SUCCESS: \d+ rules found/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  });

  describe('Grafana', () => {
    const grafana = service('grafana');
    const provisioned = (kind: string): Record<string, unknown>[] => {
      const dir = hostFile(grafana, `/etc/grafana/provisioning/${kind}`);
      expect(dir).toBeDefined();
      return readdirSync(path.join(root, dir ?? ''))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => parse(readText(path.join(dir ?? '', f))) as Record<string, unknown>);
    };

    it('is provisioned with the Prometheus of this file under the uid the dashboards use', () => {
      const sources = provisioned('datasources').flatMap(
        (f) => f.datasources as { uid: string; type: string; url: string }[],
      );
      const prometheus = sources.find((s) => s.uid === 'prometheus');
      expect(prometheus?.type).toBe('prometheus');
      const url = new URL(prometheus?.url ?? '');
      expect(url.hostname).toBe('prometheus');
      expect(portMappings(service('prometheus')).map((p) => p.container)).toContain(Number(url.port));

      const uids = new Set(sources.map((s) => s.uid));
      const dashboards = readdirSync(path.join(root, 'ops/grafana/dashboards')).filter((f) =>
        f.endsWith('.json'),
      );
      expect(dashboards.length).toBeGreaterThan(0);
      for (const file of dashboards) {
        const text = readFileSync(path.join(root, 'ops/grafana/dashboards', file), 'utf8');
        const used = [...text.matchAll(/"datasource":\s*\{[^{}]*"uid":\s*"([^"]+)"/g)].map(
          (m) => m[1] as string,
        );
        for (const uid of used.filter((u) => u !== '-- Grafana --' && !u.startsWith('$'))) {
          expect({ file, uid, provisioned: uids.has(uid) }).toEqual({ file, uid, provisioned: true });
        }
      }
    });

    it('loads every dashboard of ops/grafana/dashboards, and opens on one of them', () => {
      const providers = provisioned('dashboards').flatMap(
        (f) => f.providers as { options: { path: string } }[],
      );
      const dirs = providers.map((p) => hostFile(grafana, p.options.path));
      expect(dirs).toContain('ops/grafana/dashboards');
      const home = env('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
      const homeFile = hostFile(grafana, home);
      expect(homeFile && statSync(path.join(root, homeFile)).isFile()).toBe(true);
    });
  });
});

describe('Dockerfile', () => {
  const stages = parseDockerfile(readText('Dockerfile'));
  const build = stages[0]!;
  const final = stages[stages.length - 1]!;
  const finalOf = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);

  it('has a build stage and a final stage on the same small base', () => {
    expect(stages.length).toBe(2);
    expect(final.from).toBe(build.from);
    const arg = /^ARG NODE_IMAGE=(.+)$/m.exec(readText('Dockerfile'))?.[1];
    expect(arg).toMatch(/^node:20(\.\d+)*-alpine/);
  });

  it('runs node as a non-root numeric user, under tini, in exec form, with NODE_ENV=production and a health check', () => {
    const user = finalOf('USER').at(-1)?.args ?? '';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(execForm(finalOf('ENTRYPOINT').at(-1)?.args ?? '')).toEqual(['/sbin/tini', '--']);
    const cmd = execForm(finalOf('CMD').at(-1)?.args ?? '');
    expect(cmd?.[0]).toBe('node');
    expect(cmd?.at(-1)).toBe('dist/main.js');
    expect(
      finalOf('ENV')
        .map((i) => i.args)
        .join(' '),
    ).toMatch(/NODE_ENV=production/);
    const healthcheck = finalOf('HEALTHCHECK').at(-1)?.args ?? '';
    expect(execForm(healthcheck.slice(healthcheck.indexOf('CMD ') + 4))).toEqual(['node', 'healthcheck.cjs']);
    // Only the deployed tree comes from the build stage: no sources, no build tools.
    expect(finalOf('COPY').map((i) => i.args)).toEqual([`--from=${build.name} /out /app`]);
  });

  it('builds every image compose builds, from its package directory', () => {
    const { services: known } = deployStep(build);
    const wanted = Object.values(services).flatMap((s) =>
      s.build?.args?.SERVICE ? [s.build.args.SERVICE] : [],
    );
    expect(new Set(wanted)).toEqual(new Set([...HERALD, 'provider-sandbox']));
    for (const name of wanted) {
      const dir = known.get(name)?.dir ?? '';
      expect({ name, main: existsSync(path.join(root, dir, 'package.json')) }).toEqual({ name, main: true });
    }
  });

  describe('its deploy step, run outside Docker for ingest (the image that also provisions)', () => {
    let out: string;
    beforeAll(() => {
      out = mkdtempSync(path.join(tmpdir(), 'herald-deploy-'));
      rmSync(out, { recursive: true });
      const pnpmVersion = (JSON.parse(readText('package.json')) as { packageManager: string }).packageManager
        .split('@')[1]
        ?.split('+')[0];
      const pnpmBin = path.join(root, `.cache/tools/pnpm-${pnpmVersion}/bin`);
      const script = deployStep(build).script.replace(/\/out(?=[/\s;]|$)/g, out);
      runOk('sh', ['-c', script], {
        env: {
          ...process.env,
          SERVICE: 'ingest',
          PATH: `${pnpmBin}${path.delimiter}${process.env.PATH ?? ''}`,
        },
      });
    }, 300_000);
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    it('holds the service, the API-key command and provisioning, without sources or build info', () => {
      for (const file of [
        'dist/main.js',
        'dist/cli/create-api-key.js',
        'healthcheck.cjs',
        'node_modules/@herald/shared/dist/provision-main.js',
        'node_modules/@herald/shared/migrations',
      ]) {
        expect({ file, exists: existsSync(path.join(out, file)) }).toEqual({ file, exists: true });
      }
      for (const gone of ['src', 'test', 'tsconfig.tsbuildinfo', 'node_modules/@herald/shared/src']) {
        expect({ gone, exists: existsSync(path.join(out, gone)) }).toEqual({ gone, exists: false });
      }
      const migrations = readdirSync(path.join(root, 'packages/shared/migrations'));
      expect(readdirSync(path.join(out, 'node_modules/@herald/shared/migrations'))).toEqual(migrations);
    });

    it('resolves its production dependencies and none of the development ones', () => {
      const pkg = JSON.parse(readText('services/ingest/package.json')) as {
        dependencies: Record<string, string>;
      };
      const resolves = (name: string): boolean =>
        run('node', ['-e', `require.resolve(${JSON.stringify(name)})`], { cwd: out, env: imageEnv() })
          .status === 0;
      for (const dep of Object.keys(pkg.dependencies))
        expect({ dep, resolves: resolves(dep) }).toEqual({ dep, resolves: true });
      for (const dev of ['typescript', 'jest', '@swc/core', 'eslint', 'prettier']) {
        expect({ dev, resolves: resolves(dev) }).toEqual({ dev, resolves: false });
      }
      // Loading @herald/shared loads every module it needs (Kafka, Postgres, Redis, Fastify...).
      runOk('node', ['-e', "require('./node_modules/@herald/shared')"], { cwd: out, env: imageEnv() });
    });

    it('has a health check that passes on 200 from /healthz and fails otherwise', async () => {
      let status = 200;
      const paths: string[] = [];
      const server = createServer((req, res) => {
        paths.push(req.url ?? '');
        res.writeHead(status).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const check = (p: number): Promise<number | null> =>
        new Promise((resolve, reject) => {
          const child = spawn('node', ['healthcheck.cjs'], {
            cwd: out,
            env: imageEnv({ HTTP_PORT: String(p) }),
          });
          child.on('error', reject);
          child.on('exit', (code) => resolve(code));
        });
      try {
        expect(await check(port)).toBe(0);
        status = 503;
        expect(await check(port)).toBe(1);
        expect(paths).toEqual(['/healthz', '/healthz']);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(await check(port)).toBe(1);
    }, 30_000);
  });
});
