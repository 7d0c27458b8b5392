import { createRuntime, exitOnStartFailure, startDispatcher } from '@herald/shared';
import { loadConfig } from './config';
import { createSendGridSender } from './adapters/sendgrid';

/** Composition root of the email dispatcher: notify.channel.email.* → SendGrid. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dispatcher-email', config, { redis: true });
  const sender = createSendGridSender({
    apiKey: config.SENDGRID_API_KEY,
    fromEmail: config.SENDGRID_FROM_EMAIL,
    fromName: config.SENDGRID_FROM_NAME,
    ...(config.SENDGRID_BASE_URL ? { baseUrl: config.SENDGRID_BASE_URL } : {}),
  });
  await startDispatcher(rt, {
    channel: 'EMAIL',
    sender,
    http: { port: config.HTTP_PORT, host: config.HTTP_HOST },
    concurrency: config.DISPATCH_CONCURRENCY,
    claimLeaseMs: config.DISPATCH_CLAIM_LEASE_MS,
    lanes: config.CONSUMER_LANES,
  });
}

main().catch((err: unknown) => exitOnStartFailure(err));
