import { readFileSync } from 'node:fs';
import path from 'node:path';
import { containerImages, kafkaEnvironment } from '../support/containers';
import type { EngineAnswer } from '../support/containers-path';
import { choosePath, describeChoice, parseForcedPath, redactUrl } from '../support/containers-path';
import { currentTestAddresses, exportTestEnv, testEnv } from '../support/env';

const engine: EngineAnswer = { answered: true, runtime: 'Docker 28.1.1 on Ubuntu 24.04' };
const noEngine: EngineAnswer = {
  answered: false,
  reason: 'Could not find a working container runtime strategy',
};
const probeOf = (answer: EngineAnswer) => jest.fn(() => Promise.resolve(answer));

describe('HERALD_TEST_INFRA', () => {
  it.each([undefined, '', '  '])('%p forces nothing', (v) => {
    expect(parseForcedPath(v)).toBeUndefined();
  });
  it.each([
    ['local', 'local'],
    [' LOCAL ', 'local'],
    ['containers', 'containers'],
  ])('%p forces %s', (v, path) => {
    expect(parseForcedPath(v)).toBe(path);
  });
  it('rejects anything else, naming the variable and the value', () => {
    expect(() => parseForcedPath('docker')).toThrow(
      'HERALD_TEST_INFRA must be "local" or "containers" (or unset), not "docker"',
    );
  });
});

describe('choosing the path', () => {
  it('takes containers when an engine answers', async () => {
    await expect(choosePath(undefined, probeOf(engine))).resolves.toEqual({
      path: 'containers',
      runtime: 'Docker 28.1.1 on Ubuntu 24.04',
      why: 'a Docker engine answered',
    });
  });
  it('takes the local processes when none answers, and says why', async () => {
    await expect(choosePath('', probeOf(noEngine))).resolves.toEqual({
      path: 'local',
      why: 'no Docker engine answered: Could not find a working container runtime strategy',
    });
  });
  it('forced local does not ask for an engine', async () => {
    const probe = probeOf(engine);
    await expect(choosePath('local', probe)).resolves.toEqual({
      path: 'local',
      why: 'HERALD_TEST_INFRA=local',
    });
    expect(probe).not.toHaveBeenCalled();
  });
  it('forced containers with an engine says it was forced', async () => {
    await expect(choosePath('containers', probeOf(engine))).resolves.toMatchObject({
      path: 'containers',
      why: 'HERALD_TEST_INFRA=containers',
    });
  });
  it('forced containers without an engine fails with the reason and the way out', async () => {
    const err = await choosePath('containers', probeOf(noEngine)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      'HERALD_TEST_INFRA=containers, but no Docker engine answered (Could not find a working container ' +
        'runtime strategy). Start Docker or set DOCKER_HOST, or unset HERALD_TEST_INFRA to run on the local processes.',
    );
  });
  it('an invalid value fails before any probe', async () => {
    const probe = probeOf(engine);
    await expect(choosePath('podman', probe)).rejects.toThrow('not "podman"');
    expect(probe).not.toHaveBeenCalled();
  });
});

describe('the line the run prints', () => {
  const local = {
    brokers: ['127.0.0.1:9092'],
    registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
    redisUrl: 'redis://127.0.0.1:6379/15',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/herald_test',
  };
  it('names the local processes, the reason and the addresses', () => {
    expect(describeChoice({ path: 'local', why: 'no Docker engine answered: nope' }, local)).toBe(
      '[integration] infrastructure: local processes (no Docker engine answered: nope): kafka 127.0.0.1:9092, ' +
        'registry http://127.0.0.1:8081/apis/ccompat/v7, postgres postgres://postgres@127.0.0.1:5432/herald_test, ' +
        'redis redis://127.0.0.1:6379/15',
    );
  });
  it('names the runtime and each image, without the database password', () => {
    const line = describeChoice(
      { path: 'containers', runtime: 'Docker 28.1.1 on Debian', why: 'a Docker engine answered' },
      {
        ...local,
        brokers: ['localhost:40001'],
        databaseUrl: 'postgres://postgres:s3cret@localhost:40002/herald_test',
      },
      { kafka: 'apache/kafka:3.9.1', registry: 'r:1', postgres: 'postgres:15', redis: 'redis:7' },
    );
    expect(line).toBe(
      '[integration] infrastructure: testcontainers (Docker 28.1.1 on Debian; a Docker engine answered): ' +
        'kafka apache/kafka:3.9.1 at localhost:40001, registry r:1 at http://127.0.0.1:8081/apis/ccompat/v7, ' +
        'postgres postgres:15 at postgres://postgres:***@localhost:40002/herald_test, redis redis:7 at redis://127.0.0.1:6379/15',
    );
    expect(line).not.toContain('s3cret');
  });
  it('leaves URLs without a password, and non-URLs, as they are', () => {
    expect(redactUrl('redis://127.0.0.1:6379/15')).toBe('redis://127.0.0.1:6379/15');
    expect(redactUrl('127.0.0.1:9092')).toBe('127.0.0.1:9092');
    expect(redactUrl('redis://:pw@h:1/0')).toBe('redis://:***@h:1/0');
  });
});

describe('the containers run what the local processes run', () => {
  const infra = path.resolve(__dirname, '..', '..', 'infra');
  const pom = readFileSync(path.join(infra, 'pom.xml'), 'utf8');

  it('at the versions infra/pom.xml pins', () => {
    const images = containerImages();
    expect(pom).toContain(`<kafka.version>${images.kafka.split(':')[1]}</kafka.version>`);
    expect(pom).toContain(`<apicurio.version>${images.registry.split(':')[1]}</apicurio.version>`);
    // kafkajs 2.2.4 needs a 3.x broker.
    expect(images.kafka).toMatch(/^apache\/kafka:3\.\d+\.\d+$/);
  });

  it("with the local broker's settings, listening where the tests connect", () => {
    const env = kafkaEnvironment('localhost', 40001);
    expect(env).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_NODE_ID: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_DELETE_TOPIC_ENABLE: 'true',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://localhost:40001,BROKER://localhost:9094',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
    });
    const local = readFileSync(path.join(infra, 'kafka', 'server.properties'), 'utf8')
      .split('\n')
      .filter((l) => /^[a-z]/.test(l))
      .map((l) => `KAFKA_${l.split('=')[0]?.trim().toUpperCase().replace(/\./g, '_')}`);
    expect(local.length).toBeGreaterThan(15);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(local));
    expect(Object.values(env).join(' ')).not.toContain('127.0.0.1');
  });
});

describe('the env contract both paths end in', () => {
  const keys = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'TEST_REDIS_URL', 'TEST_DATABASE_URL'] as const;
  const saved = keys.map((k) => [k, process.env[k]] as const);
  afterEach(() => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('testEnv follows what global setup exports, after it was loaded', () => {
    const containers = {
      brokers: ['localhost:40001'],
      registryUrl: 'http://localhost:40003/apis/ccompat/v7',
      redisUrl: 'redis://localhost:40004/15',
      databaseUrl: 'postgres://postgres:pw@localhost:40002/herald_test',
    };
    exportTestEnv(containers);
    expect(process.env.KAFKA_BROKERS).toBe('localhost:40001');
    expect(process.env.TEST_DATABASE_URL).toBe('postgres://postgres:pw@localhost:40002/herald_test');
    expect(currentTestAddresses()).toEqual(containers);
    expect(testEnv.postgresUrl('herald_e2e_x')).toBe('postgres://postgres:pw@localhost:40002/herald_e2e_x');
  });

  it("defaults to the local processes' addresses", () => {
    for (const k of keys) delete process.env[k];
    expect(currentTestAddresses()).toEqual({
      brokers: ['127.0.0.1:9092'],
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      redisUrl: 'redis://127.0.0.1:6379/15',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/herald_test',
    });
  });
});
