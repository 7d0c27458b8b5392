import type { ErrorCode } from '@herald/shared/domain';

/** What an SMTP server answered (or nodemailer could not), as far as deciding what to do next goes. */
export interface SmtpFailure {
  /** The server's reply code (RFC 5321), when it answered. */
  responseCode: number | undefined;
  /** nodemailer's error code: `ECONNECTION`, `ETIMEDOUT`, `EAUTH`, `EENVELOPE`, `EMESSAGE`… */
  code: string | undefined;
  /** The SMTP command that failed (`RCPT TO`, `DATA`…), when nodemailer says. */
  command: string | undefined;
}

/** Mailbox unavailable, no such user, mailbox name not allowed: the recipient cannot receive. */
const RECIPIENT_REPLIES: ReadonlySet<number> = new Set([550, 551, 553]);

/**
 * Maps an SMTP failure to Herald's error catalog (RFC 5321 §4.2: 4yz transient, 5yz permanent).
 * Total: every input has an answer. 421 and 4yz are the server's trouble, retried; a 5yz refusal
 * of the recipient (at RCPT TO) is the address; other 5yz refuse the message; 535 is our login.
 */
export function classifySmtpError({ responseCode, code, command }: SmtpFailure): ErrorCode {
  if (responseCode === undefined) {
    if (code === 'EAUTH') return 'provider_auth_failed';
    if (code === 'ECONNECTION' || code === 'ETIMEDOUT' || code === 'ESOCKET' || code === 'EDNS')
      return 'provider_unavailable';
    return 'unknown';
  }
  if (responseCode === 530 || responseCode === 535) return 'provider_auth_failed';
  if (responseCode === 452 || responseCode === 451 || responseCode === 421 || responseCode === 450)
    return responseCode === 452 ? 'provider_rate_limited' : 'provider_unavailable';
  if (responseCode >= 400 && responseCode < 500) return 'provider_unavailable';
  if (RECIPIENT_REPLIES.has(responseCode) && (command === undefined || /^RCPT/i.test(command)))
    return 'invalid_address';
  return 'provider_rejected';
}
