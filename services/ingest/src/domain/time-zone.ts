import { z } from '@herald/shared/domain';

/** Whether the IANA database (node's ICU) knows the zone: the router's luxon reads the same one. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, 'expected an IANA time zone such as Europe/Paris');
