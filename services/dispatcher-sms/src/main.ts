import { createRuntime, exitOnStartFailure, startDispatcher } from '@herald/shared';
import { loadConfig } from './config';
import { createTwilioSender } from './adapters/twilio';

/** Composition root of the SMS dispatcher: notify.channel.sms.* → Twilio. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dispatcher-sms', config, { redis: true });
  const sender = createTwilioSender({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    from: config.TWILIO_FROM,
    ...(config.TWILIO_SANDBOX_URL ? { sandboxUrl: config.TWILIO_SANDBOX_URL } : {}),
  });
  await startDispatcher(rt, {
    channel: 'SMS',
    sender,
    http: { port: config.HTTP_PORT, host: config.HTTP_HOST },
    concurrency: config.DISPATCH_CONCURRENCY,
    claimLeaseMs: config.DISPATCH_CLAIM_LEASE_MS,
    lanes: config.CONSUMER_LANES,
  });
}

main().catch((err: unknown) => exitOnStartFailure(err));
