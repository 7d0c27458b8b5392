import { SENSITIVE_KEYS } from '@herald/shared/domain';
import { REDACTED, redact, redactText } from '../../src/domain/redact';
import { formatRecord, resolveTopic } from '../../src/domain/tail';

describe('redact', () => {
  it('censors address fields at any depth, and emails and phone numbers inside text', () => {
    const request = {
      id: 'n1',
      userId: 'ada',
      to: { email: 'ada@example.com', phone: '+14155550100', deviceTokens: ['tok-1', 'tok-2'] },
      data: '{"note":"call +442071838750 or mail bob@example.org"}',
      channels: ['EMAIL'],
      createdAt: 1700000000000,
    };
    expect(redact(request)).toEqual({
      id: 'n1',
      userId: 'ada',
      to: { email: REDACTED, phone: REDACTED, deviceTokens: [REDACTED, REDACTED] },
      data: `{"note":"call ${REDACTED} or mail ${REDACTED}"}`,
      channels: ['EMAIL'],
      createdAt: 1700000000000,
    });
    expect(request.to.email).toBe('ada@example.com');
    expect(redact({ payload: { address: 'x@y.io', channel: 'SMS' }, to: null })).toEqual({
      payload: { address: REDACTED, channel: 'SMS' },
      to: null,
    });
  });

  it("censors every key Herald's logs censor, and FCM's tokens", () => {
    const doc = Object.fromEntries([...SENSITIVE_KEYS, 'tokens'].map((k) => [k, 'opaque-value-1']));
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(['to', 'apiKey', 'authorization']));
    expect(Object.values(redact({ nested: doc }).nested)).toEqual(Object.keys(doc).map(() => REDACTED));
    expect(redact({ to: 'opaque-value-1' }, { byKey: false })).toEqual({ to: 'opaque-value-1' });
  });

  it('censors by pattern alone where keys are not addresses', () => {
    const view = { channels: { email: { status: 'sent', detail: 'to ada@example.com' } } };
    expect(redact(view, { byKey: false })).toEqual({
      channels: { email: { status: 'sent', detail: `to ${REDACTED}` } },
    });
  });

  it('leaves ids, timestamps and ordinary numbers alone', () => {
    expect(redactText('notification 0b8f2d52-6c1e at 2026-01-31T12:00:00Z attempt 3 of 12345678')).toBe(
      'notification 0b8f2d52-6c1e at 2026-01-31T12:00:00Z attempt 3 of 12345678',
    );
  });
});

describe('tail output', () => {
  const record = {
    topic: 'notify.channel.sms.high',
    partition: 3,
    offset: '15',
    timestamp: '2026-01-31T12:00:00.000Z',
    key: 'ada@example.com',
    headers: { attempt: '2' },
    value: { notificationId: 'n1', channel: 'SMS', address: '+14155550100', body: 'hi' },
  };

  it('prints one line: where, key, headers and the decoded value, redacted by default', () => {
    expect(formatRecord(record, { json: false, showPersonalData: false })).toBe(
      `notify.channel.sms.high[3]@15 2026-01-31T12:00:00.000Z key=${REDACTED} headers={"attempt":"2"} ` +
        `{"notificationId":"n1","channel":"SMS","address":"${REDACTED}","body":"hi"}`,
    );
    expect(formatRecord(record, { json: false, showPersonalData: true })).toContain(
      '"address":"+14155550100"',
    );
  });

  it('prints the whole record as JSON with --json, and says why a value is undecodable', () => {
    expect(JSON.parse(formatRecord(record, { json: true, showPersonalData: true }))).toEqual(record);
    const bad = {
      ...record,
      value: 'AAEC',
      undecodable: 'not in the schema-registry wire format (magic byte 0)',
    };
    expect(formatRecord(bad, { json: false, showPersonalData: false })).toMatch(
      /<undecodable: not in the schema-registry wire format \(magic byte 0\)> AAEC$/,
    );
  });

  it('resolves short topic names with the prefix', () => {
    expect(resolveTopic('notify.status', '')).toBe('notify.status');
    expect(resolveTopic('status', '')).toBe('notify.status');
    expect(resolveTopic('priority.high', 't-x.')).toBe('t-x.notify.priority.high');
    expect(resolveTopic('t-x.notify.dlq', 't-x.')).toBe('t-x.notify.dlq');
    expect(() => resolveTopic(' ', '')).toThrow(/topic name is required/);
  });
});
