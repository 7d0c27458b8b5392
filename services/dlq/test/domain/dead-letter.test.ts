import {
  REPLAY_STRIPPED_HEADERS,
  auditActor,
  channelOf,
  discardRefusal,
  replayHeaders,
  replayKey,
  replayRefusal,
} from '../../src/domain/dead-letter';
import type { DeadLetterStatus, LetterState } from '../../src/domain/dead-letter';

describe('replayHeaders', () => {
  const failed = {
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    attempt: '8',
    error: 'provider_unavailable: HTTP 503',
    'error-class': 'transient',
    'first-failed-at': '2026-01-01T00:00:00.000Z',
    failures: '[{"attempt":8,"at":"2026-01-01T00:10:00.000Z","error":"provider_unavailable: HTTP 503"}]',
    'retry-delay-ms': '60000',
    'target-topic': 'notify.channel.email.high',
    'due-at': '2026-01-01T00:11:00.000Z',
    'parked-reason': 'provider_unavailable',
    'parked-at': '2026-01-01T00:10:00.000Z',
    'not-stored': 'x',
    'x-tenant': 'acme',
  };

  it('drops every failure, delay and park header and names the dead letter', () => {
    expect(replayHeaders(failed, '42')).toEqual({
      traceparent: failed.traceparent,
      'x-tenant': 'acme',
      'replayed-from': '42',
    });
  });

  it('strips each listed header, whatever its case', () => {
    for (const name of REPLAY_STRIPPED_HEADERS) {
      expect(replayHeaders({ [name]: 'v', [name.toUpperCase()]: 'v' }, '1')).toEqual({
        'replayed-from': '1',
      });
    }
  });

  it('replaces the mark of an earlier replay and leaves the stored headers alone', () => {
    const stored = { 'replayed-from': '7', attempt: '1' };
    expect(replayHeaders(stored, '9')).toEqual({ 'replayed-from': '9' });
    expect(stored).toEqual({ 'replayed-from': '7', attempt: '1' });
  });
});

describe('what an operator may do with a letter', () => {
  const isTarget = (t: string) => t.startsWith('notify.channel.') || t.startsWith('notify.priority.');
  const letter = (over: Partial<LetterState> = {}): LetterState => ({
    id: '5',
    status: 'parked',
    targetTopic: 'notify.channel.sms.low',
    hasPayload: true,
    ...over,
  });

  it('replays a parked letter with a payload bound for a priority or channel topic', () => {
    expect(replayRefusal(letter(), isTarget)).toBeNull();
    expect(replayRefusal(letter({ targetTopic: 'notify.priority.critical' }), isTarget)).toBeNull();
  });

  it.each<DeadLetterStatus>(['replayed', 'discarded'])('refuses a %s letter, naming its status', (status) => {
    expect(replayRefusal(letter({ status }), isTarget)).toEqual({
      kind: 'not_parked',
      message: `dead letter 5 is ${status}: only a parked dead letter can be replayed`,
    });
    expect(discardRefusal(letter({ status }))).toEqual({
      kind: 'not_parked',
      message: `dead letter 5 is ${status}: only a parked dead letter can be discarded`,
    });
  });

  it('says the status before anything else', () => {
    expect(replayRefusal(letter({ status: 'discarded', targetTopic: null }), isTarget)?.kind).toBe(
      'not_parked',
    );
  });

  it('refuses a letter without a target, without a payload, or bound elsewhere', () => {
    expect(replayRefusal(letter({ targetTopic: null }), isTarget)).toEqual({
      kind: 'not_replayable',
      message: 'dead letter 5 cannot be replayed: it has no target topic (it failed before reaching one)',
    });
    expect(replayRefusal(letter({ hasPayload: false }), isTarget)).toEqual({
      kind: 'not_replayable',
      message: 'dead letter 5 cannot be replayed: its payload was not stored',
    });
    expect(replayRefusal(letter({ targetTopic: 'notify.status' }), isTarget)).toEqual({
      kind: 'not_replayable',
      message:
        'dead letter 5 cannot be replayed: its target topic notify.status is not a priority or channel topic',
    });
  });

  it('discards any parked letter, replayable or not', () => {
    expect(discardRefusal(letter({ targetTopic: null, hasPayload: false }))).toBeNull();
  });
});

describe('replayKey', () => {
  const origin = { sourceTopic: 'notify.dlq', sourcePartition: 2, sourceOffset: '17' };

  it('keeps the stored bytes', () => {
    const key = Buffer.from([0xff, 0x00, 0x41]);
    expect(replayKey({ ...origin, key })).toBe(key);
  });

  it('names the origin of a letter stored without a key', () => {
    expect(replayKey({ ...origin, key: null })).toBe('notify.dlq:2:17');
  });
});

describe('audit and events', () => {
  it('names the API key and its id', () => {
    expect(auditActor({ name: 'ops-alice', keyId: '12' })).toBe('ops-alice (key 12)');
  });

  it('reads the stored channel for a status event', () => {
    expect(channelOf('EMAIL')).toBe('EMAIL');
    expect(channelOf('PUSH')).toBe('PUSH');
    expect(channelOf('email')).toBeNull();
    expect(channelOf(null)).toBeNull();
  });
});
