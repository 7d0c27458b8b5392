/**
 * What an SMS costs and whether it can go, decided before Twilio is called: the recipient must be
 * an E.164 number, and the body is counted in segments (what carriers bill and Twilio charges).
 */

import { E164 } from '@herald/shared/domain';

/** The rule ingest and the router hold addresses to (ITU-T E.164), so no valid number is refused here. */
export function isE164(address: string): boolean {
  return E164.test(address);
}

// GSM 03.38: the basic character set takes one septet; the extension table's characters take two
// (an escape, then the character). Anything outside both makes the whole message UCS-2.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('\f^{}\\[~]|€');

export interface Segments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

/**
 * Segments of an SMS body: GSM-7 fits 160 septets in one segment and 153 in each part of a longer
 * (concatenated) message; UCS-2 fits 70 code units, and 67 per part. An escaped GSM character is
 * never split across parts, nor is a surrogate pair, so a part may hold one unit less.
 */
export function countSegments(body: string): Segments {
  const chars = [...body];
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  const width = (c: string) => (gsm ? (GSM_EXTENDED.has(c) ? 2 : 1) : c.length);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  const units = chars.reduce((n, c) => n + width(c), 0);
  if (units <= single) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: units === 0 ? 0 : 1 };
  let segments = 1;
  let used = 0;
  for (const c of chars) {
    const w = width(c);
    if (used + w > part) {
      segments++;
      used = 0;
    }
    used += w;
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments };
}
