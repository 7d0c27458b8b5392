import { isValidZone, minutesOf, quietUntil } from '../../src/domain/quiet-hours';
import type { QuietHours, QuietRule } from '../../src/domain/quiet-hours';

const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const nightly: QuietRule = { days: EVERY_DAY, start: '22:00', end: '07:00' };
const quiet = (timezone: string, ...rules: QuietRule[]): QuietHours => ({ timezone, rules });
const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('quietUntil', () => {
  it('is null without quiet hours or rules', () => {
    expect(quietUntil(null, utc('2026-06-10T12:00:00Z'))).toBeNull();
    expect(quietUntil(quiet('Europe/Paris'), utc('2026-06-10T12:00:00Z'))).toBeNull();
  });

  it('ends a window that crosses midnight at its end time the next morning, local time', () => {
    const q = quiet('Europe/Paris', nightly); // CEST, UTC+2, in June
    expect(iso(quietUntil(q, utc('2026-06-10T21:30:00Z')))).toBe('2026-06-11T05:00:00.000Z'); // 23:30 local
    expect(iso(quietUntil(q, utc('2026-06-11T02:00:00Z')))).toBe('2026-06-11T05:00:00.000Z'); // 04:00 local
  });

  it('holds at the edges: quiet from the start minute, not at the end minute', () => {
    const q = quiet('Europe/Paris', nightly);
    expect(quietUntil(q, utc('2026-06-10T19:59:59Z'))).toBeNull(); // 21:59:59
    expect(iso(quietUntil(q, utc('2026-06-10T20:00:00Z')))).toBe('2026-06-11T05:00:00.000Z'); // 22:00
    expect(iso(quietUntil(q, utc('2026-06-11T04:59:59Z')))).toBe('2026-06-11T05:00:00.000Z'); // 06:59:59
    expect(quietUntil(q, utc('2026-06-11T05:00:00Z'))).toBeNull(); // 07:00
  });

  it('keeps to the days of a rule: a Friday night window reaches into Saturday morning, no further', () => {
    const q = quiet('UTC', { days: ['fri'], start: '22:00', end: '07:00' });
    expect(iso(quietUntil(q, utc('2026-06-13T03:00:00Z')))).toBe('2026-06-13T07:00:00.000Z'); // Sat 03:00
    expect(quietUntil(q, utc('2026-06-13T23:00:00Z'))).toBeNull(); // Sat 23:00
    expect(quietUntil(q, utc('2026-06-11T23:00:00Z'))).toBeNull(); // Thu 23:00
  });

  it('joins windows that touch or overlap into one', () => {
    const q = quiet(
      'UTC',
      { days: ['fri'], start: '22:00', end: '07:00' },
      { days: ['sat'], start: '06:00', end: '10:00' },
      { days: ['sat'], start: '10:00', end: '11:30' },
    );
    expect(iso(quietUntil(q, utc('2026-06-13T03:00:00Z')))).toBe('2026-06-13T11:30:00.000Z');
  });

  it('takes a start equal to the end as the whole day', () => {
    const q = quiet('UTC', { days: ['sun'], start: '00:00', end: '00:00' });
    expect(iso(quietUntil(q, utc('2026-06-14T12:00:00Z')))).toBe('2026-06-15T00:00:00.000Z');
    expect(quietUntil(q, utc('2026-06-15T00:00:00Z'))).toBeNull();
  });

  describe('across DST changes', () => {
    it('Europe/Paris, spring forward (29 March 2026): the night is an hour shorter, still ending at 07:00 CEST', () => {
      const q = quiet('Europe/Paris', nightly);
      // Saturday 23:00 CET (UTC+1) → Sunday 07:00 CEST (UTC+2)
      expect(iso(quietUntil(q, utc('2026-03-28T22:00:00Z')))).toBe('2026-03-29T05:00:00.000Z');
      // 01:59 CET, just before the gap, and 03:00 CEST, just after it
      expect(iso(quietUntil(q, utc('2026-03-29T00:59:00Z')))).toBe('2026-03-29T05:00:00.000Z');
      expect(iso(quietUntil(q, utc('2026-03-29T01:00:00Z')))).toBe('2026-03-29T05:00:00.000Z');
    });

    it('Europe/Paris: a window starting in the skipped hour starts as late as the clocks jumped', () => {
      const q = quiet('Europe/Paris', { days: ['sun'], start: '02:30', end: '05:00' });
      expect(quietUntil(q, utc('2026-03-29T00:45:00Z'))).toBeNull(); // 01:45 CET, before the gap
      expect(quietUntil(q, utc('2026-03-29T01:15:00Z'))).toBeNull(); // 03:15 CEST: 02:30 became 03:30
      expect(iso(quietUntil(q, utc('2026-03-29T01:45:00Z')))).toBe('2026-03-29T03:00:00.000Z'); // 03:45 CEST
    });

    it('America/New_York, fall back (1 November 2026): the night is an hour longer, ending at 07:00 EST', () => {
      const q = quiet('America/New_York', nightly);
      // Saturday 23:00 EDT (UTC-4) → Sunday 07:00 EST (UTC-5)
      expect(iso(quietUntil(q, utc('2026-11-01T03:00:00Z')))).toBe('2026-11-01T12:00:00.000Z');
      // 01:30 happens twice; both are inside the window
      expect(iso(quietUntil(q, utc('2026-11-01T05:30:00Z')))).toBe('2026-11-01T12:00:00.000Z');
      expect(iso(quietUntil(q, utc('2026-11-01T06:30:00Z')))).toBe('2026-11-01T12:00:00.000Z');
      expect(quietUntil(q, utc('2026-11-01T12:00:00Z'))).toBeNull();
    });

    it('America/New_York, spring forward (8 March 2026)', () => {
      const q = quiet('America/New_York', nightly);
      // Saturday 22:00 EST (UTC-5) → Sunday 07:00 EDT (UTC-4)
      expect(iso(quietUntil(q, utc('2026-03-08T03:00:00Z')))).toBe('2026-03-08T11:00:00.000Z');
    });

    it('Australia/Sydney, the southern autumn change (5 April 2026): 07:00 AEST after 23:00 AEDT', () => {
      const q = quiet('Australia/Sydney', nightly);
      // Saturday 23:00 AEDT (UTC+11) → Sunday 07:00 AEST (UTC+10)
      expect(iso(quietUntil(q, utc('2026-04-04T12:00:00Z')))).toBe('2026-04-04T21:00:00.000Z');
      // Sydney's spring change (4 October 2026): Saturday 23:00 AEST → Sunday 07:00 AEDT
      expect(iso(quietUntil(q, utc('2026-10-03T13:00:00Z')))).toBe('2026-10-03T20:00:00.000Z');
    });

    it('a zone without DST and a half-hour offset (Asia/Kolkata)', () => {
      const q = quiet('Asia/Kolkata', nightly);
      expect(iso(quietUntil(q, utc('2026-03-29T17:00:00Z')))).toBe('2026-03-30T01:30:00.000Z'); // 22:30 IST
    });
  });

  it('is null for a zone it does not know', () => {
    expect(quietUntil(quiet('Mars/Olympus', nightly), utc('2026-06-10T21:30:00Z'))).toBeNull();
  });
});

describe('minutesOf and isValidZone', () => {
  it('reads HH:MM and nothing else', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('23:59')).toBe(23 * 60 + 59);
    expect(minutesOf('24:00')).toBeNull();
    expect(minutesOf('7:00')).toBeNull();
    expect(minutesOf('07:60')).toBeNull();
  });

  it('knows IANA zones', () => {
    expect(isValidZone('Europe/Paris')).toBe(true);
    expect(isValidZone('UTC')).toBe(true);
    expect(isValidZone('Mars/Olympus')).toBe(false);
  });
});
