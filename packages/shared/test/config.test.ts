import { ConfigError, env, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z.object({ ...infraEnv, HTTP_PORT: env.port(8080) });
const good = {
  KAFKA_BROKERS: '127.0.0.1:9092,kafka-2:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://postgres@127.0.0.1/herald',
};

describe('parseConfig', () => {
  it('parses, applies defaults and freezes', () => {
    const c = parseConfig(schema, good);
    expect(c.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', 'kafka-2:9092']);
    expect(c.HTTP_PORT).toBe(8080);
    expect(c.LOG_LEVEL).toBe('info');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every missing variable at once', () => {
    let error: unknown;
    try {
      parseConfig(schema, { REDIS_URL: 'redis://x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'KAFKA_BROKERS is required',
        'SCHEMA_REGISTRY_URL is required',
        'DATABASE_URL is required',
      ]),
    );
    expect((error as Error).message).toContain('KAFKA_BROKERS is required');
  });

  it('names a malformed variable with the reason', () => {
    expect(() => parseConfig(schema, { ...good, HTTP_PORT: 'eighty' })).toThrow(/HTTP_PORT: /);
    expect(() => parseConfig(schema, { ...good, KAFKA_BROKERS: 'no-port' })).toThrow(
      /KAFKA_BROKERS.*host:port/,
    );
    expect(() => parseConfig(schema, { ...good, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});

describe('env.lanes (CONSUMER_LANES)', () => {
  const lanes = z.object({ CONSUMER_LANES: env.lanes() });

  it('is every lane by default, highest first', () => {
    expect(parseConfig(lanes, {}).CONSUMER_LANES).toEqual(['CRITICAL', 'HIGH', 'NORMAL', 'LOW']);
  });

  it('takes a list in any case, with spaces, once each', () => {
    expect(parseConfig(lanes, { CONSUMER_LANES: ' critical, Critical ' }).CONSUMER_LANES).toEqual([
      'CRITICAL',
    ]);
    expect(parseConfig(lanes, { CONSUMER_LANES: 'low,high,normal' }).CONSUMER_LANES).toEqual([
      'LOW',
      'HIGH',
      'NORMAL',
    ]);
  });

  it('refuses an unknown lane, naming the ones it knows', () => {
    expect(() => parseConfig(lanes, { CONSUMER_LANES: 'critical,urgent' })).toThrow(
      /CONSUMER_LANES: expected a list of critical, high, normal, low/,
    );
    expect(() => parseConfig(lanes, { CONSUMER_LANES: '' })).toThrow(/CONSUMER_LANES/);
  });

  it('accepts a topic prefix of Kafka topic-name characters and names a bad one', () => {
    expect(parseConfig(schema, { ...good, TOPIC_PREFIX: 't-cli-x1.' }).TOPIC_PREFIX).toBe('t-cli-x1.');
    expect(parseConfig(schema, good).TOPIC_PREFIX).toBe('');
    expect(() => parseConfig(schema, { ...good, TOPIC_PREFIX: 'team a/' })).toThrow(
      /TOPIC_PREFIX: expected at most 180 characters of A-Z a-z 0-9 \. _ -/,
    );
  });
});
