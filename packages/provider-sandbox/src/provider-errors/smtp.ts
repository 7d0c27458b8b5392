/**
 * The SMTP command a fault's reply answers (RFC 5321 §4.3.2 lists which replies each command may
 * get): `AUTH` (RFC 4954), `MAIL FROM`, `RCPT TO` or the end of `DATA`.
 */
export type SmtpPhase = 'AUTH' | 'MAIL' | 'RCPT' | 'DATA';

interface Entry {
  phase: SmtpPhase;
  /** The reply's text after the code, starting with the enhanced status code (RFC 3463). */
  text: string;
}

/**
 * The replies a fault can name, by reply code. 421 ends the connection, as RFC 5321 §3.8 says a
 * server announcing 421 does.
 */
const CATALOG: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['421', { phase: 'MAIL', text: '4.3.2 Service not available, closing transmission channel' }],
  ['451', { phase: 'DATA', text: '4.3.0 Requested action aborted: local error in processing' }],
  ['452', { phase: 'MAIL', text: '4.4.5 Insufficient system resources: too many messages, slow down' }],
  ['535', { phase: 'AUTH', text: '5.7.8 Authentication credentials invalid' }],
  ['550', { phase: 'RCPT', text: '5.1.1 Requested action not taken: mailbox unavailable' }],
  ['552', { phase: 'DATA', text: '5.3.4 Message size exceeds fixed maximum message size' }],
]);

export const SMTP_ERROR_CODES: readonly string[] = [...CATALOG.keys()];

/** What an SMTP server answers a client that did not authenticate when it must (RFC 4954 §6). */
export const SMTP_AUTH_REQUIRED = { reply: 530, text: '5.7.0 Authentication required' } as const;

/** The reply code of a catalog code (they are the same number); undefined when there is no such code. */
export function smtpErrorStatus(code: string): number | undefined {
  return CATALOG.has(code) ? Number(code) : undefined;
}

function entry(code: string): Entry {
  const found = CATALOG.get(code);
  // Fault specs are validated against the catalog: an unknown code here is a bug.
  if (!found) throw new Error(`no SMTP reply ${code} in the sandbox catalog`);
  return found;
}

/** The command at which a catalog code is answered. */
export function smtpErrorPhase(code: string): SmtpPhase {
  return entry(code).phase;
}

/** The reply code and text the sandbox answers for a catalog code. */
export function smtpCatalogError(code: string): { reply: number; text: string } {
  return { reply: Number(code), text: entry(code).text };
}
