import { HeraldError, classifyError, copyKey, dlqRecord, parkedRecord, topicNames } from '@herald/shared';
import type { InboundRecord } from '@herald/shared';

const record: InboundRecord = {
  topic: 'notify.priority.high',
  partition: 3,
  offset: '42',
  key: Buffer.from('u1'),
  value: Buffer.from('payload'),
  headers: { attempt: '2', 'first-failed-at': '2026-01-01T00:00:00.000Z', traceparent: '00-t-s-01' },
  timestamp: '0',
};
const NOW = Date.UTC(2026, 0, 2);

describe('dlqRecord', () => {
  it('is the record as received, bound for notify.dlq with its history and its other headers', () => {
    expect(
      dlqRecord(topicNames(), record, new HeraldError('invalid_template', 'no template x'), NOW),
    ).toEqual({
      topic: 'notify.dlq',
      key: Buffer.from('u1'),
      value: Buffer.from('payload'),
      headers: {
        attempt: '3',
        'error-class': 'permanent',
        error: 'invalid_template: no template x',
        'first-failed-at': '2026-01-01T00:00:00.000Z',
        'target-topic': 'notify.priority.high',
        failures: JSON.stringify([
          { attempt: 3, at: '2026-01-02T00:00:00.000Z', error: 'invalid_template: no template x' },
        ]),
        traceparent: '00-t-s-01',
      },
    });
  });

  it('marks a surprise transient: the retry engine tries it again later', () => {
    const err = classifyError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(dlqRecord(topicNames(), record, err, NOW).headers?.['error-class']).toBe('transient');
  });
});

describe('parkedRecord (the last resort)', () => {
  const err = new HeraldError('record_rejected', 'MESSAGE_TOO_LARGE');

  it('goes to notify.parked with where it came from and why, its headers kept', () => {
    const parked = parkedRecord(topicNames())(record, err, true);
    expect(parked).toEqual({
      topic: 'notify.parked',
      key: Buffer.from('u1'),
      value: Buffer.from('payload'),
      headers: expect.objectContaining({
        attempt: '2',
        'parked-reason': 'record_rejected',
        error: 'record_rejected: MESSAGE_TOO_LARGE',
        'source-topic': 'notify.priority.high',
        'source-partition': '3',
        'source-offset': '42',
      }),
    });
    expect(parked.headers?.['value-dropped']).toBeUndefined();
  });

  it('can leave the value behind when the value is what Kafka refuses', () => {
    const parked = parkedRecord(topicNames())(record, err, false);
    expect(parked.value).toBeNull();
    expect(parked.headers?.['value-dropped']).toBe('true');
  });
});

describe('copyKey', () => {
  it("keeps the key's bytes, and gives a keyless record where it came from", () => {
    expect(copyKey(record)).toEqual(Buffer.from('u1'));
    expect(copyKey({ ...record, key: null })).toBe('notify.priority.high:3:42');
  });
});

describe('dispositions', () => {
  it('waits for a dependency, retries later what may pass, parks what cannot', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyError(refused).disposition).toBe('wait');
    expect(new HeraldError('delivery_in_progress', 'x').disposition).toBe('wait');
    expect(new HeraldError('provider_unavailable', 'x').disposition).toBe('retry');
    expect(classifyError(new TypeError('bug')).disposition).toBe('retry');
    expect(new HeraldError('invalid_address', 'x').disposition).toBe('park');
  });
});
