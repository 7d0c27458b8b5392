import pino from 'pino';
import { HeraldError, topicNames, withDeadLetters } from '@herald/shared';
import type { InboundRecord, OutboundRecord } from '@herald/shared';

const record: InboundRecord = {
  topic: 'notify.priority.high',
  partition: 3,
  offset: '42',
  key: Buffer.from('u1'),
  value: Buffer.from('payload'),
  headers: { attempt: '2', 'first-failed-at': '2026-01-01T00:00:00.000Z' },
  timestamp: '0',
};

function wrap(failure: Error, publishFails = false) {
  const published: OutboundRecord[] = [];
  const handle = withDeadLetters(() => Promise.reject(failure), {
    publisher: {
      publish: (rs) =>
        publishFails ? Promise.reject(new Error('kafka down')) : Promise.resolve(void published.push(...rs)),
    },
    topics: topicNames(),
    clock: () => Date.UTC(2026, 0, 2),
    log: pino({ level: 'silent' }),
  });
  return { handle, published };
}

describe('withDeadLetters', () => {
  it('hands a failed record to notify.dlq as received, with its history, and resolves', async () => {
    const t = wrap(new HeraldError('invalid_template', 'no template x'));
    await t.handle(record);
    expect(t.published).toEqual([
      {
        topic: 'notify.dlq',
        key: 'u1',
        value: Buffer.from('payload'),
        headers: {
          attempt: '3',
          'error-class': 'permanent',
          error: 'invalid_template: no template x',
          'first-failed-at': '2026-01-01T00:00:00.000Z',
          'target-topic': 'notify.priority.high',
        },
      },
    ]);
  });

  it('parks a surprise too, as transient', async () => {
    const t = wrap(new TypeError("Cannot read properties of undefined (reading 'x')"));
    await t.handle(record);
    expect(t.published[0]?.headers?.['error-class']).toBe('transient');
  });

  it('rethrows an unreachable dependency so kafkajs retries the record, and parks nothing', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const t = wrap(refused);
    await expect(t.handle(record)).rejects.toEqual(
      expect.objectContaining({ code: 'dependency_unavailable' }),
    );
    expect(t.published).toEqual([]);
  });

  it('fails (so the offset is not committed) when notify.dlq cannot be written', async () => {
    const t = wrap(new HeraldError('invalid_request', 'bad'), true);
    await expect(t.handle(record)).rejects.toThrow('kafka down');
  });
});
