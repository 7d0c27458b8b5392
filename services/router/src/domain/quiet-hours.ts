import { DateTime } from 'luxon';
import { WEEKDAYS } from '@herald/shared/domain';

export type Weekday = (typeof WEEKDAYS)[number];

/**
 * One quiet window, in the user's local time: it starts on each of `days` at `start` and ends at
 * `end`, the same day, or the next day when `end` is not after `start` (22:00–07:00 crosses
 * midnight). Times are `HH:MM`, 00:00–23:59; `start` equal to `end` is a whole day.
 */
export interface QuietRule {
  days: readonly Weekday[];
  start: string;
  end: string;
}

export interface QuietHours {
  /** IANA zone, e.g. `Europe/Paris`: the user's own unless the quiet hours name another. */
  timezone: string;
  rules: readonly QuietRule[];
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:MM` as minutes after midnight; null when it is not a time of day. */
export function minutesOf(hhmm: string): number | null {
  const m = HHMM.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function isValidZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/**
 * The instant a local wall-clock time happens on a local date. A time skipped by a spring-forward
 * change is moved on by the length of the gap (02:30 in Europe/Paris on the last Sunday of March
 * is 03:30 CEST); a time that happens twice at a fall-back change is its first occurrence (luxon).
 */
function at(date: DateTime, minutes: number): DateTime {
  return date.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
}

/** The windows that start on one local date, as instants. */
function windowsStarting(date: DateTime, rules: readonly QuietRule[]): { from: number; to: number }[] {
  const day = WEEKDAYS[date.weekday - 1];
  const out: { from: number; to: number }[] = [];
  for (const rule of rules) {
    if (day === undefined || !rule.days.includes(day)) continue;
    const start = minutesOf(rule.start);
    const end = minutesOf(rule.end);
    if (start === null || end === null) continue;
    const from = at(date, start);
    const to = end > start ? at(date, end) : at(date.plus({ days: 1 }), end);
    out.push({ from: from.toMillis(), to: to.toMillis() });
  }
  return out;
}

/**
 * When the quiet hours in force at `now` end, or null when none is. Windows that touch or overlap
 * (Friday 22:00–07:00 and Saturday 00:00–10:00) count as one: the end is where quiet stops. DST is
 * the zone's: a window 22:00–07:00 ends at 07:00 local time whatever the offset did in between.
 */
export function quietUntil(quiet: QuietHours | null, now: number): number | null {
  if (!quiet || quiet.rules.length === 0) return null;
  const local = DateTime.fromMillis(now, { zone: quiet.timezone });
  if (!local.isValid) return null;
  const today = local.startOf('day');
  // A window may have started yesterday (crossing midnight); later ones may chain on for a week.
  const windows = [-1, 0, 1, 2, 3, 4, 5, 6, 7].flatMap((d) =>
    windowsStarting(today.plus({ days: d }), quiet.rules),
  );
  let until: number | null = null;
  let point = now;
  for (let grew = true; grew;) {
    grew = false;
    for (const w of windows) {
      if (w.from <= point && point < w.to && (until === null || w.to > until)) {
        until = w.to;
        grew = true;
      }
    }
    if (until !== null) point = until;
  }
  return until;
}
