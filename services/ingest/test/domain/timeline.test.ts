import { OVERALL_STATUSES, buildView, rankOf } from '../../src/domain/timeline';
import type { EventRow } from '../../src/domain/timeline';
import type { Channel, Status } from '@herald/shared/domain';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const iso = (s: number) => at(s).toISOString();
const ev = (e: Partial<EventRow> & Pick<EventRow, 'status'>, s: number): EventRow => ({
  channel: null,
  reason: null,
  providerMessageId: null,
  detail: null,
  ...e,
  at: at(s),
});
const deliver = (channel: Channel) => ({ channel, decision: 'deliver', addresses: 1 });
const suppress = (channel: Channel, reason = 'no_address') => ({ channel, decision: 'suppressed', reason });
const accepted = (s = 1) => ev({ status: 'ACCEPTED' }, s);
const routed = (decisions: object[], s = 2) => ev({ status: 'ROUTED', detail: { decisions } }, s);
const on = (channel: Channel, status: Status, s: number, extra: Partial<EventRow> = {}) =>
  ev({ status, channel, ...extra }, s);
const statuses = (timeline: { status: string }[] | undefined) => timeline?.map((t) => t.status);
/** A status the projection may hold but this code does not know (a newer service's event). */
const unknown = (status: string) => status as Status;

describe('buildView', () => {
  it('gives each channel accepted → routed → its own steps', () => {
    const view = buildView([
      on('EMAIL', 'SENT', 3, { providerMessageId: 'sg-1' }),
      accepted(1),
      routed([deliver('EMAIL'), suppress('SMS')], 2),
    ]);
    expect(view.status).toBe('partially_sent');
    expect(statuses(view.timeline)).toEqual(['accepted', 'routed']);
    expect(view.channels.email).toEqual({
      status: 'sent',
      timeline: [
        { status: 'accepted', at: iso(1) },
        { status: 'routed', at: iso(2) },
        { status: 'sent', at: iso(3), providerMessageId: 'sg-1' },
      ],
    });
    expect(view.channels.sms).toEqual({
      status: 'suppressed',
      timeline: [
        { status: 'accepted', at: iso(1) },
        { status: 'routed', at: iso(2) },
        { status: 'suppressed', at: iso(2), reason: 'no_address' },
      ],
    });
    expect(view.channels.push).toBeUndefined();
  });

  it('shows failed → parked on a channel', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('PUSH')], 2),
      on('PUSH', 'FAILED', 3, { reason: 'unregistered_token' }),
      on('PUSH', 'PARKED', 4, { reason: 'unregistered_token' }),
    ]);
    expect(statuses(view.channels.push?.timeline)).toEqual(['accepted', 'routed', 'failed', 'parked']);
    expect(view.channels.push?.status).toBe('parked');
    expect(view.status).toBe('parked');
  });

  it('keeps the top-level timeline to notification-wide steps', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('EMAIL')], 2),
      on('EMAIL', 'FAILED', 3, { reason: 'provider_unavailable' }),
    ]);
    expect(view.timeline).toEqual([
      { status: 'accepted', at: iso(1) },
      { status: 'routed', at: iso(2) },
    ]);
  });
});

describe('top-level status', () => {
  it('only ever takes a documented value', () => {
    expect(OVERALL_STATUSES).toEqual([
      'accepted',
      'scheduled',
      'in_progress',
      'sent',
      'partially_sent',
      'suppressed',
      'expired',
      'parked',
      'undelivered',
    ]);
  });

  it('is accepted before routing', () => {
    expect(buildView([accepted()]).status).toBe('accepted');
  });

  it('is accepted with no events at all, with empty timelines', () => {
    expect(buildView([])).toEqual({ status: 'accepted', timeline: [], channels: {} });
  });

  it('is in_progress once routed while a channel has no outcome yet', () => {
    const view = buildView([accepted(), routed([deliver('EMAIL'), deliver('SMS')])]);
    expect(view.status).toBe('in_progress');
    expect(view.channels.email?.status).toBe('routed');
    expect(view.channels.sms?.status).toBe('routed');
  });

  it('is in_progress while one channel is sent and another is still routed', () => {
    const view = buildView([accepted(), routed([deliver('EMAIL'), deliver('SMS')]), on('EMAIL', 'SENT', 3)]);
    expect(view.status).toBe('in_progress');
  });

  it('is in_progress while a channel failed and awaits a retry', () => {
    const view = buildView([
      accepted(),
      routed([deliver('EMAIL'), deliver('SMS')]),
      on('EMAIL', 'SENT', 3),
      on('SMS', 'FAILED', 4, { reason: 'provider_unavailable' }),
    ]);
    expect(view.channels.sms?.status).toBe('failed');
    expect(view.status).toBe('in_progress');
  });

  it('is in_progress when channel events were projected before the routed event', () => {
    // Without `routed` the set of channels is unknown: others may still be on their way.
    const view = buildView([accepted(), on('EMAIL', 'SENT', 3)]);
    expect(view.channels.email?.status).toBe('sent');
    expect(view.status).toBe('in_progress');
  });

  it('is sent when every routed channel was sent', () => {
    const view = buildView([
      accepted(),
      routed([deliver('EMAIL'), deliver('SMS'), deliver('PUSH')]),
      on('EMAIL', 'SENT', 3),
      on('SMS', 'SENT', 4),
      on('PUSH', 'SENT', 5),
    ]);
    expect(view.status).toBe('sent');
  });

  it.each<[string, Status]>([
    ['suppressed', 'SUPPRESSED'],
    ['expired', 'EXPIRED'],
    ['parked', 'PARKED'],
  ])('is partially_sent when one channel was sent and another %s', (_, other) => {
    const view = buildView([
      accepted(),
      routed([deliver('EMAIL'), deliver('SMS')]),
      on('EMAIL', 'SENT', 3),
      on('SMS', other, 4, { reason: 'x' }),
    ]);
    expect(view.status).toBe('partially_sent');
  });

  it('is partially_sent when a channel was sent and routing suppressed the others', () => {
    const view = buildView([
      accepted(),
      routed([deliver('EMAIL'), suppress('SMS'), suppress('PUSH')]),
      on('EMAIL', 'SENT', 3),
    ]);
    expect(view.status).toBe('partially_sent');
  });

  it('is suppressed when routing suppressed every channel', () => {
    const view = buildView([
      accepted(),
      routed([
        suppress('EMAIL', 'unknown_user'),
        suppress('SMS', 'unknown_user'),
        suppress('PUSH', 'unknown_user'),
      ]),
    ]);
    expect(view.status).toBe('suppressed');
    expect(view.channels.email?.timeline.at(-1)).toEqual({
      status: 'suppressed',
      at: iso(2),
      reason: 'unknown_user',
    });
  });

  it('is suppressed when a dispatcher suppressed the channel', () => {
    const view = buildView([
      accepted(),
      routed([deliver('SMS')]),
      on('SMS', 'SUPPRESSED', 3, { reason: 'x' }),
    ]);
    expect(view.status).toBe('suppressed');
  });

  it('is expired when nothing was sent and a channel expired', () => {
    const view = buildView([
      accepted(),
      routed([deliver('EMAIL'), suppress('SMS')]),
      on('EMAIL', 'EXPIRED', 3, { reason: 'expired_before_send' }),
    ]);
    expect(view.status).toBe('expired');
  });

  it('is parked when nothing was sent and a channel was parked, whatever the others did', () => {
    const view = buildView([
      accepted(),
      routed([deliver('EMAIL'), deliver('PUSH'), suppress('SMS')]),
      on('EMAIL', 'EXPIRED', 3),
      on('PUSH', 'FAILED', 3, { reason: 'unregistered_token' }),
      on('PUSH', 'PARKED', 4, { reason: 'unregistered_token' }),
    ]);
    expect(view.status).toBe('parked');
  });

  it('is parked when the request itself was parked before routing, with no channels', () => {
    const view = buildView([accepted(1), ev({ status: 'PARKED', reason: 'invalid_template' }, 2)]);
    expect(view.status).toBe('parked');
    expect(view.timeline.at(-1)).toEqual({ status: 'parked', at: iso(2), reason: 'invalid_template' });
    expect(view.channels).toEqual({});
  });

  it('is expired when the router found the request expired before routing it', () => {
    const view = buildView([accepted(1), ev({ status: 'EXPIRED', detail: { decisions: [] } }, 2)]);
    expect(view.status).toBe('expired');
    expect(statuses(view.timeline)).toEqual(['accepted', 'expired']);
    expect(view.channels).toEqual({});
  });

  it('is suppressed when the request itself was suppressed (no channel)', () => {
    const view = buildView([accepted(1), ev({ status: 'SUPPRESSED', reason: 'duplicate' }, 2)]);
    expect(view.status).toBe('suppressed');
  });

  it('is suppressed when routing chose no channel at all', () => {
    expect(buildView([accepted(), routed([])]).status).toBe('suppressed');
    expect(buildView([accepted(), ev({ status: 'ROUTED' }, 2)]).status).toBe('suppressed');
  });

  it('follows the channels, not an earlier request-level outcome, once channels exist', () => {
    // A parked request replayed by an operator: the channels' outcome is the newer truth.
    const view = buildView([
      accepted(1),
      ev({ status: 'PARKED', reason: 'invalid_template' }, 2),
      routed([deliver('EMAIL')], 10),
      on('EMAIL', 'SENT', 11),
    ]);
    expect(view.status).toBe('sent');
    expect(statuses(view.channels.email?.timeline)).toEqual(['accepted', 'routed', 'sent']);
  });
});

describe('channel status and causal order', () => {
  it('ranks accepted < routed < in-flight steps < terminal steps < sent', () => {
    expect(rankOf('accepted')).toBeLessThan(rankOf('routed'));
    expect(rankOf('routed')).toBeLessThan(rankOf('failed'));
    expect(rankOf('failed')).toBe(rankOf('delivering'));
    for (const terminal of ['suppressed', 'expired', 'parked']) {
      expect(rankOf('failed')).toBeLessThan(rankOf(terminal));
      expect(rankOf(terminal)).toBe(rankOf('parked'));
      expect(rankOf(terminal)).toBeLessThan(rankOf('sent'));
    }
  });

  it('keeps a channel sent once sent, even when a parked step is stamped later (a replay, skewed clocks)', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('EMAIL')], 2),
      on('EMAIL', 'FAILED', 3),
      on('EMAIL', 'SENT', 4),
      on('EMAIL', 'PARKED', 9),
    ]);
    expect(view.channels.email?.status).toBe('sent');
    expect(view.channels.email?.timeline.map((t) => t.status)).toEqual([
      'accepted',
      'routed',
      'failed',
      'parked',
      'sent',
    ]);
    expect(view.status).toBe('sent');
  });

  it('puts a sent stamped before routed (skewed clock) after it, and keeps the channel sent', () => {
    const view = buildView([accepted(1), routed([deliver('EMAIL')], 5), on('EMAIL', 'SENT', 3)]);
    expect(view.channels.email).toEqual({
      status: 'sent',
      timeline: [
        { status: 'accepted', at: iso(1) },
        { status: 'routed', at: iso(5) },
        { status: 'sent', at: iso(3) },
      ],
    });
    expect(view.status).toBe('sent');
  });

  it('puts a routed stamped before accepted after it', () => {
    const view = buildView([routed([deliver('SMS')], 1), accepted(4)]);
    expect(view.timeline).toEqual([
      { status: 'accepted', at: iso(4) },
      { status: 'routed', at: iso(1) },
    ]);
    expect(statuses(view.channels.sms?.timeline)).toEqual(['accepted', 'routed']);
    expect(view.status).toBe('in_progress');
  });

  it('keeps a channel parked when its failed step is stamped after the park', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('PUSH')], 2),
      on('PUSH', 'PARKED', 3, { reason: 'unregistered_token' }),
      on('PUSH', 'FAILED', 4, { reason: 'unregistered_token' }),
    ]);
    expect(statuses(view.channels.push?.timeline)).toEqual(['accepted', 'routed', 'failed', 'parked']);
    expect(view.channels.push?.status).toBe('parked');
    expect(view.status).toBe('parked');
  });

  it('keeps a channel sent when a failed step is stamped after it', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('EMAIL')], 2),
      on('EMAIL', 'SENT', 3),
      on('EMAIL', 'FAILED', 4, { reason: 'provider_unavailable' }),
    ]);
    expect(statuses(view.channels.email?.timeline)).toEqual(['accepted', 'routed', 'failed', 'sent']);
    expect(view.channels.email?.status).toBe('sent');
    expect(view.status).toBe('sent');
  });

  it('orders retries of equal rank by time, and between terminal steps lets the latest win', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('EMAIL')], 2),
      on('EMAIL', 'FAILED', 5, { reason: 'b' }),
      on('EMAIL', 'FAILED', 3, { reason: 'a' }),
      on('EMAIL', 'SENT', 9),
      on('EMAIL', 'PARKED', 6, { reason: 'b' }),
    ]);
    expect(view.channels.email?.timeline.slice(2)).toEqual([
      { status: 'failed', at: iso(3), reason: 'a' },
      { status: 'failed', at: iso(5), reason: 'b' },
      { status: 'parked', at: iso(6), reason: 'b' },
      { status: 'sent', at: iso(9) },
    ]);
    expect(view.channels.email?.status).toBe('sent');
  });

  it('keeps the input order between steps of equal rank and time', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('EMAIL')], 2),
      on('EMAIL', 'PARKED', 3, { reason: 'first' }),
      on('EMAIL', 'EXPIRED', 3, { reason: 'second' }),
    ]);
    expect(view.channels.email?.status).toBe('expired');
  });

  it('records one step per address on a channel with several', () => {
    const view = buildView([
      accepted(1),
      routed([{ channel: 'PUSH', decision: 'deliver', addresses: 2 }], 2),
      on('PUSH', 'SENT', 3, { providerMessageId: 'fcm-1' }),
      on('PUSH', 'SENT', 4, { providerMessageId: 'fcm-2' }),
    ]);
    expect(view.channels.push?.timeline.slice(2)).toEqual([
      { status: 'sent', at: iso(3), providerMessageId: 'fcm-1' },
      { status: 'sent', at: iso(4), providerMessageId: 'fcm-2' },
    ]);
    expect(view.status).toBe('sent');
  });

  it('leaves a request-level outcome off the channel timelines', () => {
    const view = buildView([
      accepted(1),
      ev({ status: 'PARKED', reason: 'invalid_template' }, 2),
      routed([deliver('EMAIL')], 3),
    ]);
    expect(statuses(view.timeline)).toEqual(['accepted', 'routed', 'parked']);
    expect(view.channels.email?.status).toBe('routed');
    expect(view.status).toBe('in_progress');
  });
});

describe('duplicate and unknown events', () => {
  it('shows an event repeated verbatim once', () => {
    const sent = on('SMS', 'SENT', 3, { providerMessageId: 'SM1' });
    const route = routed([deliver('SMS'), suppress('EMAIL')]);
    const view = buildView([accepted(), accepted(), route, route, sent, sent]);
    expect(statuses(view.timeline)).toEqual(['accepted', 'routed']);
    expect(statuses(view.channels.sms?.timeline)).toEqual(['accepted', 'routed', 'sent']);
    expect(statuses(view.channels.email?.timeline)).toEqual(['accepted', 'routed', 'suppressed']);
    expect(view.status).toBe('partially_sent');
  });

  it('keeps events that differ, such as two failed attempts', () => {
    const view = buildView([
      accepted(),
      routed([deliver('SMS')]),
      on('SMS', 'FAILED', 3, { detail: { attempt: 1 } }),
      on('SMS', 'FAILED', 4, { detail: { attempt: 2 } }),
    ]);
    expect(statuses(view.channels.sms?.timeline)).toEqual(['accepted', 'routed', 'failed', 'failed']);
  });

  it('treats an unknown channel step as in flight', () => {
    const view = buildView([accepted(), routed([deliver('EMAIL')]), on('EMAIL', unknown('THROTTLED'), 3)]);
    expect(view.channels.email?.status).toBe('throttled');
    expect(view.status).toBe('in_progress');
  });

  it('keeps a terminal step above an unknown one stamped later', () => {
    const view = buildView([
      accepted(),
      routed([deliver('EMAIL')]),
      on('EMAIL', 'SENT', 3),
      on('EMAIL', unknown('OPENED'), 4),
    ]);
    expect(statuses(view.channels.email?.timeline)).toEqual(['accepted', 'routed', 'opened', 'sent']);
    expect(view.channels.email?.status).toBe('sent');
    expect(view.status).toBe('sent');
  });

  it('shows an unknown notification-wide step only in the wide timeline', () => {
    const view = buildView([accepted(1), ev({ status: unknown('SCHEDULED') }, 2)]);
    expect(statuses(view.timeline)).toEqual(['accepted', 'scheduled']);
    expect(view.status).toBe('accepted');
    const routedToo = buildView([
      accepted(1),
      ev({ status: unknown('SCHEDULED') }, 2),
      routed([deliver('SMS')], 3),
      on('SMS', 'SENT', 4),
    ]);
    expect(statuses(routedToo.timeline)).toEqual(['accepted', 'routed', 'scheduled']);
    expect(statuses(routedToo.channels.sms?.timeline)).toEqual(['accepted', 'routed', 'sent']);
    expect(routedToo.status).toBe('sent');
  });

  it('shows a channel step with no status as unknown, in flight', () => {
    const view = buildView([accepted(), routed([deliver('SMS')]), on('SMS', unknown(''), 3)]);
    expect(view.channels.sms?.status).toBe('unknown');
    expect(view.status).toBe('in_progress');
  });

  it('shows an unknown channel under its lower-case name', () => {
    const view = buildView([
      accepted(),
      routed([{ channel: 'WEBHOOK', decision: 'deliver' }]),
      ev({ status: 'SENT', channel: 'WEBHOOK' as Channel }, 3),
    ]);
    expect((view.channels as Record<string, { status: string }>).webhook?.status).toBe('sent');
    expect(view.status).toBe('sent');
  });

  it('ignores malformed routing decisions', () => {
    const view = buildView([
      accepted(),
      ev({ status: 'ROUTED', detail: { decisions: [null, 42, { decision: 'deliver' }, deliver('SMS')] } }, 2),
      on('SMS', 'SENT', 3),
    ]);
    expect(Object.keys(view.channels)).toEqual(['sms']);
    expect(view.status).toBe('sent');
  });
});

describe('retries, deferrals and an operator’s decisions', () => {
  it('shows each failed attempt and the retry it led to, with the error and the next due time', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('EMAIL')], 2),
      on('EMAIL', 'FAILED', 3, {
        reason: 'provider_unavailable',
        detail: { attempt: 1, errorClass: 'transient' },
      }),
      on('EMAIL', 'RETRYING', 4, {
        reason: 'provider_unavailable',
        detail: { attempt: 1, error: 'provider_unavailable: HTTP 503', nextAttemptAt: iso(6) },
      }),
      on('EMAIL', 'FAILED', 6, { reason: 'provider_unavailable', detail: { attempt: 2 } }),
      on('EMAIL', 'RETRYING', 7, {
        reason: 'provider_unavailable',
        detail: { attempt: 2, error: 'provider_unavailable: HTTP 503', nextAttemptAt: iso(11) },
      }),
    ]);
    expect(view.status).toBe('in_progress');
    expect(view.channels.email?.status).toBe('retrying');
    expect(view.channels.email?.timeline.slice(2)).toEqual([
      { status: 'failed', at: iso(3), reason: 'provider_unavailable', attempt: 1 },
      {
        status: 'retrying',
        at: iso(4),
        reason: 'provider_unavailable',
        attempt: 1,
        error: 'provider_unavailable: HTTP 503',
        nextAttemptAt: iso(6),
      },
      { status: 'failed', at: iso(6), reason: 'provider_unavailable', attempt: 2 },
      {
        status: 'retrying',
        at: iso(7),
        reason: 'provider_unavailable',
        attempt: 2,
        error: 'provider_unavailable: HTTP 503',
        nextAttemptAt: iso(11),
      },
    ]);
  });

  it('is scheduled while deferred to its sendAt, and shows the deferral before routing once routed', () => {
    const deferred = ev({ status: 'DEFERRED', reason: 'send_at', detail: { until: iso(30) } }, 2);
    const waiting = buildView([accepted(1), deferred]);
    expect(waiting.status).toBe('scheduled');
    expect(waiting.timeline).toEqual([
      { status: 'accepted', at: iso(1) },
      { status: 'deferred', at: iso(2), reason: 'send_at', until: iso(30) },
    ]);
    // The router's clock may be behind: `routed` still comes after the deferral.
    const routedLater = buildView([
      accepted(1),
      deferred,
      routed([deliver('SMS')], 1),
      on('SMS', 'SENT', 31),
    ]);
    expect(statuses(routedLater.channels.sms?.timeline)).toEqual(['accepted', 'deferred', 'routed', 'sent']);
    expect(routedLater.status).toBe('sent');
  });

  it('shows a channel held back by a frequency cap as deferred, in flight, until routed again and sent', () => {
    const capped = { channel: 'SMS', decision: 'deferred', reason: 'rate_limited', until: iso(60) };
    const waiting = buildView([accepted(1), routed([deliver('EMAIL'), capped], 2), on('EMAIL', 'SENT', 3)]);
    expect(waiting.status).toBe('in_progress');
    expect(waiting.channels.sms).toEqual({
      status: 'deferred',
      timeline: [
        { status: 'accepted', at: iso(1) },
        { status: 'routed', at: iso(2) },
        { status: 'deferred', at: iso(2), reason: 'rate_limited', until: iso(60) },
      ],
    });
    const rerouted = ev({ status: 'ROUTED', detail: { decisions: [deliver('SMS')] } }, 60);
    const done = buildView([
      accepted(1),
      routed([deliver('EMAIL'), capped], 2),
      on('EMAIL', 'SENT', 3),
      rerouted,
      on('SMS', 'SENT', 61),
    ]);
    expect(done.status).toBe('sent');
    expect(statuses(done.channels.sms?.timeline)).toEqual([
      'accepted',
      'routed',
      'routed',
      'deferred',
      'sent',
    ]);
  });

  it('shows a channel its dispatcher deferred (circuit open) as deferred after routing, until sent', () => {
    const held = on('EMAIL', 'DEFERRED', 3, { reason: 'circuit_open', detail: { until: iso(13) } });
    const waiting = buildView([accepted(1), routed([deliver('EMAIL')], 2), held]);
    expect(waiting.status).toBe('in_progress');
    expect(waiting.channels.email).toEqual({
      status: 'deferred',
      timeline: [
        { status: 'accepted', at: iso(1) },
        { status: 'routed', at: iso(2) },
        { status: 'deferred', at: iso(3), reason: 'circuit_open', until: iso(13) },
      ],
    });
    const done = buildView([accepted(1), routed([deliver('EMAIL')], 2), held, on('EMAIL', 'SENT', 14)]);
    expect(done.status).toBe('sent');
    expect(statuses(done.channels.email?.timeline)).toEqual(['accepted', 'routed', 'deferred', 'sent']);
  });

  it('opens a new round on a replay: the channel is in flight again, then sent', () => {
    const parkedOnce = [
      accepted(1),
      routed([deliver('SMS')], 2),
      on('SMS', 'FAILED', 3),
      on('SMS', 'PARKED', 4, { reason: 'provider_unavailable', detail: { attempts: 3 } }),
    ];
    const replay = on('SMS', 'REPLAYED', 20, { reason: 'replayed', detail: { by: 'ops-key' } });
    const replayed = buildView([...parkedOnce, replay]);
    expect(replayed.channels.sms?.status).toBe('replayed');
    expect(replayed.status).toBe('in_progress');
    const sent = buildView([...parkedOnce, replay, on('SMS', 'SENT', 21)]);
    expect(sent.channels.sms?.status).toBe('sent');
    expect(sent.channels.sms?.timeline.slice(2)).toEqual([
      { status: 'failed', at: iso(3) },
      { status: 'parked', at: iso(4), reason: 'provider_unavailable', attempt: 3 },
      { status: 'replayed', at: iso(20), reason: 'replayed', by: 'ops-key' },
      { status: 'sent', at: iso(21) },
    ]);
    expect(sent.status).toBe('sent');
    // Failing again after the replay: parked again, in the new round.
    const again = buildView([...parkedOnce, replay, on('SMS', 'FAILED', 21), on('SMS', 'PARKED', 22)]);
    expect(statuses(again.channels.sms?.timeline)?.slice(-4)).toEqual([
      'parked',
      'replayed',
      'failed',
      'parked',
    ]);
    expect(again.channels.sms?.status).toBe('parked');
  });

  it('keeps a discarded channel parked overall, with who discarded it', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('PUSH')], 2),
      on('PUSH', 'PARKED', 3),
      on('PUSH', 'DISCARDED', 9, { reason: 'discarded', detail: { by: 'ops-key', reason: 'user left' } }),
    ]);
    expect(view.channels.push?.status).toBe('discarded');
    expect(view.channels.push?.timeline.at(-1)).toEqual({
      status: 'discarded',
      at: iso(9),
      reason: 'discarded',
      by: 'ops-key',
    });
    expect(view.status).toBe('parked');
  });
});

describe("the providers' delivery callbacks", () => {
  it('shows delivered after sent, and the notification as sent', () => {
    const view = buildView([
      accepted(1),
      routed([deliver('EMAIL')], 2),
      // The provider's clock may be behind the dispatcher's: delivered still comes after sent.
      on('EMAIL', 'DELIVERED', 3),
      on('EMAIL', 'SENT', 4, { providerMessageId: 'sg-1' }),
    ]);
    expect(view.status).toBe('sent');
    expect(view.channels.email?.status).toBe('delivered');
    expect(statuses(view.channels.email?.timeline)).toEqual(['accepted', 'routed', 'sent', 'delivered']);
  });

  it('shows a bounce on its channel, and the notification as undelivered when nothing else went', () => {
    const bounced = on('EMAIL', 'BOUNCED', 5, { reason: 'hard_bounce' });
    const alone = buildView([accepted(1), routed([deliver('EMAIL')], 2), on('EMAIL', 'SENT', 3), bounced]);
    expect(alone.status).toBe('undelivered');
    expect(alone.channels.email?.status).toBe('bounced');
    expect(alone.channels.email?.timeline.at(-1)).toEqual({
      status: 'bounced',
      at: iso(5),
      reason: 'hard_bounce',
    });
    const mixed = buildView([
      accepted(1),
      routed([deliver('EMAIL'), deliver('SMS')], 2),
      on('EMAIL', 'SENT', 3),
      bounced,
      on('SMS', 'SENT', 3),
      on('SMS', 'DELIVERED', 6),
    ]);
    expect(mixed.status).toBe('partially_sent');
  });
});
