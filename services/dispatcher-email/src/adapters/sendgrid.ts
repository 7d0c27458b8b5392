import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { MailDataRequired } from '@sendgrid/mail';
import { HeraldError, describeNoAnswer, isTransportFailure } from '@herald/shared';
import type { ChannelMessage, ChannelSender, SendResult } from '@herald/shared';
import { classifySendGridError } from '../domain/classify-sendgrid-error';

export interface SendGridSenderOptions {
  apiKey: string;
  fromEmail: string;
  fromName: string;
  /** The provider sandbox's address in dev and tests; SendGrid's API otherwise. */
  baseUrl?: string;
  /** Per-request timeout; a timeout is `provider_unavailable`. */
  timeoutMs?: number;
  /** Builds the one-click unsubscribe URL of a message whose category is not required. */
  unsubscribeUrl: (message: ChannelMessage) => string;
}

/**
 * Email through SendGrid's v3 Mail Send API with the official SDK. In sandbox mode only the base
 * URL of the SDK's own client changes.
 */
export function createSendGridSender(opts: SendGridSenderOptions): ChannelSender {
  // A client of our own rather than the SDK's shared singleton, so two senders never share settings.
  const client = new Client();
  client.setApiKey(opts.apiKey);
  // After setApiKey, which resets the base URL to the region's.
  if (opts.baseUrl !== undefined) client.setDefaultRequest('baseUrl', opts.baseUrl);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(opts.timeoutMs ?? 10_000);

  return {
    provider: 'sendgrid',
    async send(message: ChannelMessage): Promise<SendResult> {
      const data: MailDataRequired = {
        to: message.address,
        // The template's sender when it names one, else the dispatcher's.
        from: message.fromEmail
          ? { email: message.fromEmail, name: message.fromName ?? opts.fromName }
          : { email: opts.fromEmail, name: opts.fromName },
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
        subject: message.subject ?? undefined,
        text: message.body,
        ...(message.html !== null ? { html: message.html } : {}),
        // Comes back in SendGrid's event webhooks, tying events to the notification.
        customArgs: { notificationId: message.notificationId, category: message.category },
        categories: [message.category],
        ...(message.unsubscribable ? { headers: oneClickUnsubscribe(opts.unsubscribeUrl(message)) } : {}),
      };
      try {
        const [response] = await mail.send(data);
        return { providerMessageId: headerValue(response.headers, 'x-message-id') ?? '' };
      } catch (err) {
        throw toHeraldError(err);
      }
    },
    async close(): Promise<void> {
      // Nothing to release: the SDK's axios client keeps no connections of ours open.
    },
  };
}

/** RFC 8058: the URL a mail client POSTs `List-Unsubscribe=One-Click` to, with no page in between. */
export function oneClickUnsubscribe(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value: unknown = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The SDK rejects with a ResponseError (`code` = HTTP status, `response.body` = SendGrid's
 * `{ errors }`) when SendGrid answered, and with the raw axios error when it did not. Neither is
 * kept as `cause`: both carry the request, with the recipient's address and the API key.
 */
function toHeraldError(err: unknown): HeraldError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    response?: { body?: unknown };
  };
  const status = typeof e.code === 'number' && e.response !== undefined ? e.code : undefined;
  const body = e.response?.body as { errors?: unknown } | undefined;
  const fields = Array.isArray(body?.errors)
    ? body.errors.map((x: unknown) => {
        const field = (x as { field?: unknown } | null)?.field;
        return typeof field === 'string' ? field : null;
      })
    : [];
  const code = classifySendGridError({ status, fields, unreachable: isTransportFailure(err) });
  const detail =
    status !== undefined
      ? `answered ${status}${fields.some((f) => f !== null) ? ` (${fields.filter((f) => f !== null).join(', ')})` : ''}`
      : describeNoAnswer(err);
  // What SendGrid said, for the failed event and the suppression list: only when it answered.
  const providerCode = status !== undefined ? `sendgrid:http_${status}` : undefined;
  return new HeraldError(code, `SendGrid ${detail}`, providerCode ? { providerCode } : {});
}
