import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultStatus } from '../faults';
import { bearerToken, injectFaults, isRecord, randomHex, recordRequest, stringOrUndefined } from './common';
import type { RouteContext } from './common';

/** Fake SendGrid v3 Mail Send (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send). */

export const INVALID_EMAIL_DOMAIN = 'invalid.test';

interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

const FAULT_MESSAGES: Record<FaultStatus, string> = {
  429: 'too many requests',
  500: 'internal server error',
  503: 'service unavailable',
};

// Deliberately loose: SendGrid's own check is not published; this catches what matters to tests.
const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

function isValidEmail(value: unknown): boolean {
  if (typeof value !== 'string' || !EMAIL.test(value)) return false;
  return value.slice(value.lastIndexOf('@') + 1).toLowerCase() !== INVALID_EMAIL_DOMAIN;
}

function error(message: string, field: string | null): SendGridError {
  return { message, field, help: null };
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

interface MailSummary {
  recipients: string[];
  from?: string;
  subject?: string;
  body: string;
  html?: string;
  data?: Record<string, string>;
}

/** Best-effort reading of a mail body, valid or not, for the record. */
function summarizeMail(body: unknown): MailSummary {
  if (!isRecord(body)) return { recipients: [], body: '' };
  const personalizations = arrayOf(body.personalizations).filter(isRecord);
  const recipients = personalizations.flatMap((p) =>
    arrayOf(p.to).flatMap((r) => (isRecord(r) && typeof r.email === 'string' ? [r.email] : [])),
  );
  const content = arrayOf(body.content).filter(isRecord);
  const valueOf = (type: string) => stringOrUndefined(content.find((c) => c.type === type)?.value);
  const customArgs = { ...(isRecord(body.custom_args) ? body.custom_args : {}) };
  Object.assign(
    customArgs,
    isRecord(personalizations[0]?.custom_args) ? personalizations[0].custom_args : {},
  );
  const data = Object.fromEntries(Object.entries(customArgs).map(([k, v]) => [k, String(v)]));
  return {
    recipients,
    from: isRecord(body.from) ? stringOrUndefined(body.from.email) : undefined,
    subject: stringOrUndefined(personalizations[0]?.subject) ?? stringOrUndefined(body.subject),
    body: valueOf('text/plain') ?? '',
    html: valueOf('text/html'),
    data: Object.keys(data).length > 0 ? data : undefined,
  };
}

/** SendGrid's message ids are 22 url-safe base64 characters. */
function messageId(): string {
  return Buffer.from(randomHex(16), 'hex').toString('base64url').slice(0, 22);
}

export function registerSendGrid(app: FastifyInstance, ctx: RouteContext): void {
  app.post('/v3/mail/send', async (request, reply): Promise<FastifyReply> => {
    const { recipients, ...summary } = summarizeMail(request.body);
    const reject = (status: number, errors: SendGridError[]): FastifyReply => {
      recordRequest(ctx.store, recipients, {
        provider: 'sendgrid',
        ...summary,
        providerMessageId: null,
        accepted: false,
        status,
      });
      return reply.code(status).send({ errors });
    };

    const fault = await injectFaults(ctx, 'sendgrid');
    if (!bearerToken(request.headers.authorization)) {
      return reject(401, [error('The provided authorization grant is invalid, expired, or revoked', null)]);
    }
    if (fault !== null) {
      if (fault === 429) void reply.header('retry-after', '1');
      return reject(fault, [error(FAULT_MESSAGES[fault], null)]);
    }
    const errors = validateMail(request.body);
    if (errors.length > 0) return reject(400, errors);

    const providerMessageId = messageId();
    recordRequest(ctx.store, recipients, {
      provider: 'sendgrid',
      ...summary,
      providerMessageId,
      accepted: true,
      status: 202,
    });
    return reply.code(202).header('x-message-id', providerMessageId).send();
  });
}
