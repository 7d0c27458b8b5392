import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendGridCatalogError, sendGridError as error } from '../provider-errors/sendgrid';
import type { SendGridError } from '../provider-errors/sendgrid';
import type { MessageInput, MessageStore } from '../store';
import { bearerToken, injectFaults, isRecord, randomHex, stringOrUndefined } from './common';
import type { RouteContext } from './common';

/** Fake SendGrid v3 Mail Send (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send). */

export const INVALID_EMAIL_DOMAIN = 'invalid.test';

// Deliberately loose: SendGrid's own check is not published; this catches what matters to tests.
const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

function isValidEmail(value: unknown): boolean {
  if (typeof value !== 'string' || !EMAIL.test(value)) return false;
  return value.slice(value.lastIndexOf('@') + 1).toLowerCase() !== INVALID_EMAIL_DOMAIN;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The errors SendGrid would answer for this body, in its order: personalizations, from, subject, content. */
export function validateMail(body: unknown): SendGridError[] {
  if (!isRecord(body)) return [error('Bad Request', null)];
  const errors: SendGridError[] = [];
  const personalizations = arrayOf(body.personalizations);
  if (personalizations.length === 0) {
    errors.push(
      error(
        'The personalizations field is required and must have at least one personalization.',
        'personalizations',
      ),
    );
  }
  personalizations.forEach((p, i) => {
    const to = isRecord(p) ? arrayOf(p.to) : [];
    if (to.length === 0) {
      errors.push(
        error(
          'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
          `personalizations.${i}.to`,
        ),
      );
    }
    to.forEach((recipient, j) => {
      if (!isRecord(recipient) || !isValidEmail(recipient.email)) {
        errors.push(error('Does not contain a valid address.', `personalizations.${i}.to.${j}.email`));
      }
    });
  });
  if (!isRecord(body.from) || !isValidEmail(body.from.email)) {
    errors.push(error('The from email does not contain a valid address.', 'from.email'));
  }
  const hasTemplate = typeof body.template_id === 'string';
  const everyHasSubject = personalizations.every((p) => isRecord(p) && typeof p.subject === 'string');
  if (!hasTemplate && typeof body.subject !== 'string' && !(personalizations.length > 0 && everyHasSubject)) {
    errors.push(error('The subject is required.', 'subject'));
  }
  const content = arrayOf(body.content);
  const contentOk =
    content.length > 0 &&
    content.every(
      (c) => isRecord(c) && typeof c.type === 'string' && typeof c.value === 'string' && c.value !== '',
    );
  if (!hasTemplate && !contentOk) {
    errors.push(
      error(
        'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
        'content',
      ),
    );
  }
  return errors;
}

/** What one recipient's message records, beside what the whole mail does. */
type MailFields = Omit<MessageInput, 'to' | 'provider' | 'providerMessageId' | 'accepted' | 'status'>;

interface MailSummary {
  /** Every `personalizations[].to[].email`, for fault targeting. */
  recipients: string[];
  /** One record per recipient (at least one, addressed to '' when the mail names none). */
  records: (MailFields & { to: string })[];
}

/** String values of an object (SendGrid's custom_args and headers are strings), or undefined if empty. */
function stringMap(...sources: unknown[]): Record<string, string> | undefined {
  const merged = Object.assign({}, ...sources.filter(isRecord)) as Record<string, unknown>;
  const entries = Object.entries(merged).map(([k, v]): [string, string] => [k, String(v)]);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * Best-effort reading of a mail body, valid or not, for the record. A personalization's subject,
 * custom_args and headers override the mail's for its recipients, as SendGrid applies them.
 */
function summarizeMail(body: unknown): MailSummary {
  if (!isRecord(body)) return { recipients: [], records: [{ to: '', body: '' }] };
  const content = arrayOf(body.content).filter(isRecord);
  const valueOf = (type: string) => stringOrUndefined(content.find((c) => c.type === type)?.value);
  const categories = arrayOf(body.categories).filter((c): c is string => typeof c === 'string');
  const common: MailFields = {
    from: isRecord(body.from) ? stringOrUndefined(body.from.email) : undefined,
    fromName: isRecord(body.from) ? stringOrUndefined(body.from.name) : undefined,
    replyTo: isRecord(body.reply_to) ? stringOrUndefined(body.reply_to.email) : undefined,
    body: valueOf('text/plain') ?? '',
    html: valueOf('text/html'),
    categories: categories.length > 0 ? categories : undefined,
  };
  const personal = (p: Record<string, unknown> | undefined): MailFields => ({
    ...common,
    subject: stringOrUndefined(p?.subject) ?? stringOrUndefined(body.subject),
    data: stringMap(body.custom_args, p?.custom_args),
    headers: stringMap(body.headers, p?.headers),
  });
  const records = arrayOf(body.personalizations)
    .filter(isRecord)
    .flatMap((p) =>
      arrayOf(p.to).flatMap((r) =>
        isRecord(r) && typeof r.email === 'string' ? [{ ...personal(p), to: r.email }] : [],
      ),
    );
  return {
    recipients: records.map((r) => r.to),
    records: records.length > 0 ? records : [{ ...personal(undefined), to: '' }],
  };
}

function recordMail(
  store: MessageStore,
  records: MailSummary['records'],
  outcome: Pick<MessageInput, 'providerMessageId' | 'accepted' | 'status'>,
): void {
  for (const fields of records) store.record({ ...fields, provider: 'sendgrid', ...outcome });
}

/** SendGrid's message ids are 22 url-safe base64 characters. */
function messageId(): string {
  return Buffer.from(randomHex(16), 'hex').toString('base64url').slice(0, 22);
}

export function registerSendGrid(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/v3/mail/send', async (request, reply): Promise<FastifyReply> => {
    const { recipients, records } = summarizeMail(request.body);
    const reject = (status: number, errors: SendGridError[]): FastifyReply => {
      recordMail(ctx.store, records, { providerMessageId: null, accepted: false, status });
      return reply.code(status).send({ errors });
    };

    const failure = await injectFaults(ctx, 'sendgrid', recipients);
    if (!bearerToken(request.headers.authorization)) {
      const { status, error: unauthorized } = sendGridCatalogError('unauthorized');
      return reject(status, [unauthorized]);
    }
    if (failure !== null) {
      if (failure.status === 429) void reply.header('retry-after', '1');
      const { status, error: injected } = sendGridCatalogError(failure.code);
      return reject(status, [injected]);
    }
    const errors = validateMail(request.body);
    if (errors.length > 0) return reject(400, errors);

    const providerMessageId = messageId();
    recordMail(ctx.store, records, { providerMessageId, accepted: true, status: 202 });
    return reply.code(202).header('x-message-id', providerMessageId).send();
  });
}
