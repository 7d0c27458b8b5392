import { NO_CONSENT_LIMITS, consentFor, optOutKey, suppressionKey } from '../../src/domain/consent';
import type { Consent } from '../../src/domain/consent';

const marketing = { id: 'marketing', required: false };
const security = { id: 'security', required: true };
const consent = (over: Partial<Consent>): Consent => ({ ...NO_CONSENT_LIMITS, ...over });

describe('consentFor', () => {
  it('uses every address when nothing stands in the way', () => {
    expect(consentFor('PUSH', ['t1', 't2'], marketing, NO_CONSENT_LIMITS)).toEqual({
      ok: true,
      addresses: ['t1', 't2'],
    });
  });

  it('is no_address without an address, whatever else holds', () => {
    expect(consentFor('SMS', [], security, consent({ unsubscribed: true }))).toEqual({
      ok: false,
      reason: 'no_address',
    });
  });

  it('honours an opt-out per category and channel, and a global unsubscribe', () => {
    const optedOut = consent({ optOuts: new Set([optOutKey('marketing', 'EMAIL')]) });
    expect(consentFor('EMAIL', ['a@x.io'], marketing, optedOut)).toEqual({ ok: false, reason: 'opted_out' });
    expect(consentFor('PUSH', ['t1'], marketing, optedOut).ok).toBe(true);
    expect(consentFor('EMAIL', ['a@x.io'], { id: 'orders', required: false }, optedOut).ok).toBe(true);
    expect(consentFor('EMAIL', ['a@x.io'], marketing, consent({ unsubscribed: true }))).toEqual({
      ok: false,
      reason: 'unsubscribed',
    });
  });

  it('lets a required category through opt-outs and the unsubscribe', () => {
    const all = consent({ unsubscribed: true, optOuts: new Set([optOutKey('security', 'EMAIL')]) });
    expect(consentFor('EMAIL', ['a@x.io'], security, all)).toEqual({ ok: true, addresses: ['a@x.io'] });
  });

  it('drops suppressed addresses, required or not, and suppresses the channel when none is left', () => {
    const dead = consent({ suppressed: new Set([suppressionKey('PUSH', 't1')]) });
    expect(consentFor('PUSH', ['t1', 't2'], security, dead)).toEqual({ ok: true, addresses: ['t2'] });
    expect(consentFor('PUSH', ['t1'], security, dead)).toEqual({ ok: false, reason: 'address_suppressed' });
    // The same address on another channel is not suppressed.
    expect(consentFor('SMS', ['t1'], marketing, dead).ok).toBe(true);
  });
});
