import { buildView } from '../../src/domain/timeline';
import type { EventRow } from '../../src/domain/timeline';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const ev = (e: Partial<EventRow> & Pick<EventRow, 'status'>, s: number): EventRow => ({
  channel: null,
  reason: null,
  providerMessageId: null,
  detail: null,
  ...e,
  at: at(s),
});

describe('buildView', () => {
  it('gives each channel accepted → routed → its own steps', () => {
    const view = buildView([
      ev({ status: 'SENT', channel: 'EMAIL', providerMessageId: 'sg-1' }, 3),
      ev({ status: 'ACCEPTED' }, 1),
      ev(
        {
          status: 'ROUTED',
          detail: {
            decisions: [
              { channel: 'EMAIL', decision: 'deliver', addresses: 1 },
              { channel: 'SMS', decision: 'suppressed', reason: 'no_address' },
            ],
          },
        },
        2,
      ),
    ]);
    expect(view.status).toBe('routed');
    expect(view.timeline.map((t) => t.status)).toEqual(['accepted', 'routed']);
    expect(view.channels.email).toEqual({
      status: 'sent',
      timeline: [
        { status: 'accepted', at: at(1).toISOString() },
        { status: 'routed', at: at(2).toISOString() },
        { status: 'sent', at: at(3).toISOString(), providerMessageId: 'sg-1' },
      ],
    });
    expect(view.channels.sms?.status).toBe('suppressed');
    expect(view.channels.sms?.timeline.at(-1)).toEqual({
      status: 'suppressed',
      at: at(2).toISOString(),
      reason: 'no_address',
    });
    expect(view.channels.push).toBeUndefined();
  });

  it('shows a request parked before routing as parked, with no channels', () => {
    const view = buildView([
      ev({ status: 'ACCEPTED' }, 1),
      ev({ status: 'PARKED', reason: 'invalid_template' }, 2),
    ]);
    expect(view.status).toBe('parked');
    expect(view.timeline.at(-1)).toEqual({
      status: 'parked',
      at: at(2).toISOString(),
      reason: 'invalid_template',
    });
    expect(view.channels).toEqual({});
  });

  it('shows failed → parked on a channel', () => {
    const view = buildView([
      ev({ status: 'ACCEPTED' }, 1),
      ev({ status: 'ROUTED', detail: { decisions: [{ channel: 'PUSH', decision: 'deliver' }] } }, 2),
      ev({ status: 'FAILED', channel: 'PUSH', reason: 'unregistered_token' }, 3),
      ev({ status: 'PARKED', channel: 'PUSH', reason: 'unregistered_token' }, 4),
    ]);
    expect(view.channels.push?.timeline.map((t) => t.status)).toEqual([
      'accepted',
      'routed',
      'failed',
      'parked',
    ]);
    expect(view.channels.push?.status).toBe('parked');
  });
});
