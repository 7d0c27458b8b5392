import {
  HeraldError,
  classifyError,
  describeNoAnswer,
  isRetriable,
  isTransportFailure,
} from '@herald/shared';

describe('error catalog', () => {
  it('keeps the code, retry decision and status of a HeraldError', () => {
    const err = new HeraldError('invalid_address', 'bad', { field: 'to.email' });
    expect(classifyError(err)).toBe(err);
    expect(err.retriable).toBe(false);
    expect(err.field).toBe('to.email');
    expect(new HeraldError('validation_failed', 'x').httpStatus).toBe(400);
    expect(new HeraldError('idempotency_key_reused', 'x').httpStatus).toBe(422);
  });

  it('treats anything unknown as transient', () => {
    expect(isRetriable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetriable('a string')).toBe(true);
    expect(classifyError(undefined).code).toBe('unknown');
    expect(isRetriable(new HeraldError('provider_rate_limited', '429'))).toBe(true);
    expect(isRetriable(new HeraldError('malformed_payload', 'garbage'))).toBe(false);
  });

  it('recognises an unreachable dependency as transient dependency_unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyError(refused).code).toBe('dependency_unavailable');
    const kafka = new Error('broker down');
    kafka.name = 'KafkaJSNumberOfRetriesExceeded';
    expect(classifyError(kafka)).toEqual(
      expect.objectContaining({ code: 'dependency_unavailable', httpStatus: 503 }),
    );
    const cases: [string, object][] = [
      ['the database system is starting up', { code: '57P03' }],
      ['terminating connection due to administrator command', { code: '57P01' }],
      ['sorry, too many clients already', { code: '53300' }],
      ['cannot execute INSERT in a read-only transaction', { code: '25006' }],
      ['connection failure', { code: '08006' }],
      ['deadlock detected', { code: '40P01' }],
      ['could not serialize access due to concurrent update', { code: '40001' }],
      ['Client has encountered a connection error and is not queryable', {}],
      ['LOADING Redis is loading the dataset in memory', { name: 'ReplyError' }],
      ['READONLY You cannot write against a read only replica.', { name: 'ReplyError' }],
    ];
    for (const [message, fields] of cases) {
      expect([message, classifyError(Object.assign(new Error(message), fields)).code]).toEqual([
        message,
        'dependency_unavailable',
      ]);
    }
    expect(classifyError(Object.assign(new Error('invalid byte sequence'), { code: '22021' })).code).toBe(
      'unknown',
    );
    expect(classifyError(Object.assign(new Error('WRONGTYPE Operation'), { name: 'ReplyError' })).code).toBe(
      'unknown',
    );
    expect(classifyError(Object.assign(new Error('syntax'), { code: '42601' })).code).toBe('unknown');
  });

  it('keeps kafkajs own verdict: a record the broker refuses is permanent', () => {
    const tooLarge = Object.assign(new Error('The request included a message larger than the max'), {
      name: 'KafkaJSProtocolError',
      retriable: false,
    });
    expect(classifyError(tooLarge)).toEqual(
      expect.objectContaining({ code: 'record_rejected', retriable: false }),
    );
    const exhausted = Object.assign(new Error('retries exceeded'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: Object.assign(new Error('Connection error'), {
        name: 'KafkaJSConnectionError',
        retriable: true,
      }),
    });
    expect(classifyError(exhausted).code).toBe('dependency_unavailable');
  });
});

describe('producer state errors', () => {
  it('waits (and retries on a new producer) instead of parking the record', () => {
    const sequence = Object.assign(new Error('The broker received an out of order sequence number'), {
      name: 'KafkaJSProtocolError',
      type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      retriable: false,
    });
    expect(classifyError(sequence).disposition).toBe('wait');
    const wrapped = Object.assign(new Error('retries exceeded'), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
      cause: Object.assign(new Error('unknown producer id'), {
        name: 'KafkaJSProtocolError',
        type: 'UNKNOWN_PRODUCER_ID',
        retriable: false,
      }),
    });
    expect(classifyError(wrapped).code).toBe('dependency_unavailable');
    const tooLarge = Object.assign(new Error('message too large'), {
      name: 'KafkaJSProtocolError',
      type: 'MESSAGE_TOO_LARGE',
      retriable: false,
    });
    expect(classifyError(tooLarge).disposition).toBe('park');
  });
});

describe('provider calls without an answer', () => {
  it('takes refused, reset and timed-out requests, and axios errors without a response, for transport failures', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isTransportFailure(refused)).toBe(true);
    expect(isTransportFailure({ code: 'ECONNABORTED', isAxiosError: true })).toBe(true);
    expect(isTransportFailure({ isAxiosError: true, code: 'ERR_BAD_REQUEST', response: undefined })).toBe(
      true,
    );
    expect(isTransportFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(true);
    expect(describeNoAnswer(refused)).toBe('request failed (ECONNREFUSED)');
  });

  it('takes anything else for a fault of ours, naming only its kind', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'email')");
    expect(isTransportFailure(bug)).toBe(false);
    expect(isTransportFailure({ isAxiosError: true, response: { status: 500 } })).toBe(false);
    expect(isTransportFailure('a string')).toBe(false);
    expect(isTransportFailure(null)).toBe(false);
    expect(describeNoAnswer(bug)).toBe('failed in Herald before an answer (TypeError)');
    expect(describeNoAnswer('a string')).toBe('failed in Herald before an answer (string)');
  });
});
