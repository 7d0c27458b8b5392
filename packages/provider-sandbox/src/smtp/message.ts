import { simpleParser } from 'mailparser';
import type { AddressObject } from 'mailparser';
import type { MessageInput } from '../store';

/** What one SMTP message records for each of its recipients. */
export type MailFields = Pick<
  MessageInput,
  'from' | 'fromName' | 'replyTo' | 'subject' | 'body' | 'html' | 'headers'
>;

export interface ReadMail {
  fields: MailFields;
  /** The `Message-ID` header, with its angle brackets; undefined when the message has none. */
  messageId: string | undefined;
}

/**
 * Headers with a field of their own, or that describe the MIME structure or the transport rather
 * than the mail: what is left (`List-Unsubscribe`, `X-Herald-Notification-Id`…) is what SendGrid's
 * `headers` would have carried.
 */
const OWN_FIELDS: ReadonlySet<string> = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
  'content-description',
  'return-path',
  'received',
]);

/**
 * The headers of a message but those in OWN_FIELDS, by their name as sent, with their value
 * unfolded (RFC 5322 §2.2.3) and not otherwise decoded. A header given more than once keeps its
 * first value. Undefined when none is left.
 */
export function customHeaders(
  lines: readonly { key: string; line: string }[],
): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0 || OWN_FIELDS.has(key) || seen.has(key)) continue;
    seen.add(key);
    headers[line.slice(0, colon).trim()] = line
      .slice(colon + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .trim();
  }
  return seen.size > 0 ? headers : undefined;
}

function firstAddress(header: AddressObject | AddressObject[] | undefined) {
  const object = Array.isArray(header) ? header[0] : header;
  return object?.value[0];
}

/** Reads a message as received after DATA (RFC 5322, MIME). `envelopeFrom` is MAIL FROM's address. */
export async function readMail(raw: Buffer, envelopeFrom: string | undefined): Promise<ReadMail> {
  const mail = await simpleParser(raw, {
    // The record keeps the parts as sent: nothing derived from one another.
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const from = firstAddress(mail.from);
  const replyTo = firstAddress(mail.replyTo);
  const fields: MailFields = {
    from: from?.address ?? envelopeFrom,
    fromName: from?.name || undefined,
    replyTo: replyTo?.address,
    subject: mail.subject,
    body: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : undefined,
    headers: customHeaders(mail.headerLines),
  };
  return { fields, messageId: mail.messageId };
}
