import nodemailer from 'nodemailer';
import { HeraldError, describeNoAnswer } from '@herald/shared';
import type { ChannelMessage, ChannelSender, SendResult } from '@herald/shared';
import { classifySmtpError } from '../domain/classify-smtp-error';
import { oneClickUnsubscribe } from './sendgrid';

export interface SmtpSenderOptions {
  /** `smtp://user:pass@host:587` or `smtps://…:465`. */
  url: string;
  fromEmail: string;
  fromName: string;
  /** Connections kept open to the server; sends beyond them queue in nodemailer. */
  maxConnections: number;
  timeoutMs?: number;
  unsubscribeUrl: (message: ChannelMessage) => string;
}

/**
 * Email over SMTP with nodemailer: the failover for SendGrid (issue 10). The same message as the
 * SendGrid sender builds: parts, sender, reply-to and the one-click unsubscribe headers.
 */
export function createSmtpSender(opts: SmtpSenderOptions): ChannelSender {
  const url = new URL(opts.url);
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    pool: true,
    host: url.hostname,
    port: url.port !== '' ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username !== ''
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    maxConnections: opts.maxConnections,
    connectionTimeout: opts.timeoutMs ?? 10_000,
    greetingTimeout: opts.timeoutMs ?? 10_000,
    socketTimeout: opts.timeoutMs ?? 10_000,
  });

  return {
    provider: 'smtp',
    async send(message: ChannelMessage): Promise<SendResult> {
      const from = message.fromEmail
        ? { address: message.fromEmail, name: message.fromName ?? opts.fromName }
        : { address: opts.fromEmail, name: opts.fromName };
      try {
        const info = await transport.sendMail({
          from,
          to: message.address,
          ...(message.replyTo ? { replyTo: message.replyTo } : {}),
          subject: message.subject ?? '',
          text: message.body,
          ...(message.html !== null ? { html: message.html } : {}),
          headers: {
            'X-Herald-Notification-Id': message.notificationId,
            ...(message.unsubscribable ? oneClickUnsubscribe(opts.unsubscribeUrl(message)) : {}),
          },
        });
        return { providerMessageId: String(info.messageId) };
      } catch (err) {
        throw toHeraldError(err);
      }
    },
    close(): Promise<void> {
      transport.close();
      return Promise.resolve();
    },
  };
}

/** nodemailer's errors quote the server's reply, which may name the recipient: only codes are kept. */
function toHeraldError(err: unknown): HeraldError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    responseCode?: unknown;
    code?: unknown;
    command?: unknown;
  };
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const command = typeof e.command === 'string' ? e.command : undefined;
  const detail =
    responseCode !== undefined
      ? `answered ${responseCode}${command ? ` to ${command.split(' ')[0] ?? ''}` : ''}`
      : code !== undefined
        ? `failed (${code})`
        : describeNoAnswer(err);
  return new HeraldError(
    classifySmtpError({ responseCode, code, command }),
    `SMTP ${detail}`,
    responseCode !== undefined ? { providerCode: `smtp:${responseCode}` } : {},
  );
}
