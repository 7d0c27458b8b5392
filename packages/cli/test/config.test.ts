import { resolveConfig } from '../src/config';
import { CliError } from '../src/domain/errors';

function problemOf(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
}

describe('resolveConfig', () => {
  it("defaults to the dev stack's addresses, and freezes the result", () => {
    const c = resolveConfig({}, {});
    expect(c).toEqual({
      ingestUrl: 'http://127.0.0.1:8080',
      dlqUrl: 'http://127.0.0.1:8086',
      key: undefined,
      brokers: ['127.0.0.1:9092'],
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      topicPrefix: '',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes a flag over its variable, and a variable over the default', () => {
    const env = {
      HERALD_URL: 'https://herald.example/api/',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      HERALD_KEY: 'k',
    };
    const c = resolveConfig(
      { dlqUrl: 'http://dlq:8086', topicPrefix: 't-x.' },
      { ...env, TOPIC_PREFIX: 'other.' },
    );
    expect(c.ingestUrl).toBe('https://herald.example/api');
    expect(c.dlqUrl).toBe('http://dlq:8086');
    expect(c.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.key).toBe('k');
    expect(c.topicPrefix).toBe('t-x.');
  });

  it('lists every bad value at once, under the flag or variable it came from, as a usage error', () => {
    const err = problemOf(() =>
      resolveConfig(
        { url: 'ftp://x', brokers: 'kafka' },
        { HERALD_DLQ_URL: 'not a url', SCHEMA_REGISTRY_URL: 'http://ok:8081', TOPIC_PREFIX: 'team a/' },
      ),
    );
    expect(err.exitCode).toBe(2);
    expect(err.message.split('\n')).toEqual([
      'bad settings:',
      '  --url must be an http(s) URL (got "ftp://x")',
      '  HERALD_DLQ_URL must be an http(s) URL (got "not a url")',
      '  --brokers must be host:port[,host:port...] (got "kafka")',
      `  TOPIC_PREFIX must be at most 180 characters of A-Z a-z 0-9 . _ - (Kafka's topic-name characters) (got "team a/")`,
    ]);
  });

  it('says one problem on one line', () => {
    expect(problemOf(() => resolveConfig({}, { KAFKA_BROKERS: 'a:1,b' })).message).toBe(
      'KAFKA_BROKERS must be host:port[,host:port...] (got "a:1,b")',
    );
  });
});
