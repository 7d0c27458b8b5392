import { createRuntime, exitOnStartFailure, signUnsubscribeToken, startDispatcher } from '@herald/shared';
import type { ChannelMessage } from '@herald/shared';
import { loadConfig } from './config';
import { createSendGridSender } from './adapters/sendgrid';
import { createSmtpSender } from './adapters/smtp';

/** Composition root of the email dispatcher: notify.channel.email.* → SendGrid. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dispatcher-email', config, { redis: true, postgres: true });
  const unsubscribeUrl = (m: ChannelMessage) =>
    `${config.PUBLIC_BASE_URL}/v1/unsubscribe/${signUnsubscribeToken(config.UNSUBSCRIBE_SECRET, {
      userId: m.userId,
      category: m.category,
      expiresAt: Math.floor(Date.now() / 1000) + config.UNSUBSCRIBE_TOKEN_TTL_DAYS * 86_400,
    })}`;
  const sendgrid = createSendGridSender({
    apiKey: config.SENDGRID_API_KEY,
    fromEmail: config.SENDGRID_FROM_EMAIL,
    fromName: config.SENDGRID_FROM_NAME,
    ...(config.SENDGRID_BASE_URL ? { baseUrl: config.SENDGRID_BASE_URL } : {}),
    unsubscribeUrl,
  });
  // SendGrid first; SMTP takes over while SendGrid's circuit is open, when configured.
  const providers = [{ sender: sendgrid, rateLimit: config.PROVIDER_RATE_LIMIT }];
  if (config.SMTP_URL) {
    const smtp = createSmtpSender({
      url: config.SMTP_URL,
      fromEmail: config.SENDGRID_FROM_EMAIL,
      fromName: config.SENDGRID_FROM_NAME,
      maxConnections: config.SMTP_MAX_CONNECTIONS,
      unsubscribeUrl,
    });
    providers.push({ sender: smtp, rateLimit: config.SMTP_RATE_LIMIT });
  }
  await startDispatcher(rt, { channel: 'EMAIL', providers, settings: config });
}

main().catch((err: unknown) => exitOnStartFailure(err));
