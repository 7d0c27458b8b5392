import { createRuntime, exitOnStartFailure, signUnsubscribeToken, startDispatcher } from '@herald/shared';
import { loadConfig } from './config';
import { createSendGridSender } from './adapters/sendgrid';

/** Composition root of the email dispatcher: notify.channel.email.* → SendGrid. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dispatcher-email', config, { redis: true, postgres: true });
  const sender = createSendGridSender({
    apiKey: config.SENDGRID_API_KEY,
    fromEmail: config.SENDGRID_FROM_EMAIL,
    fromName: config.SENDGRID_FROM_NAME,
    ...(config.SENDGRID_BASE_URL ? { baseUrl: config.SENDGRID_BASE_URL } : {}),
    unsubscribeUrl: (m) =>
      `${config.PUBLIC_BASE_URL}/v1/unsubscribe/${signUnsubscribeToken(config.UNSUBSCRIBE_SECRET, {
        userId: m.userId,
        category: m.category,
        expiresAt: Math.floor(Date.now() / 1000) + config.UNSUBSCRIBE_TOKEN_TTL_DAYS * 86_400,
      })}`,
  });
  await startDispatcher(rt, {
    channel: 'EMAIL',
    providers: [{ sender, rateLimit: config.PROVIDER_RATE_LIMIT }],
    settings: config,
  });
}

main().catch((err: unknown) => exitOnStartFailure(err));
