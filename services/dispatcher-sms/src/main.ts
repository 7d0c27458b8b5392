import { createRuntime, exitOnStartFailure, metricsFor, startDispatcher } from '@herald/shared';
import { loadConfig } from './config';
import { createTwilioSender } from './adapters/twilio';

/** Composition root of the SMS dispatcher: notify.channel.sms.* → Twilio. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dispatcher-sms', config, { redis: true, postgres: true });
  const segments = metricsFor.smsSegments(rt.registry);
  const sender = createTwilioSender({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    from: config.TWILIO_FROM,
    ...(config.TWILIO_SANDBOX_URL ? { sandboxUrl: config.TWILIO_SANDBOX_URL } : {}),
    // The notification rides in the URL: Twilio's callback names only its own message SID.
    ...(config.PUBLIC_BASE_URL
      ? {
          statusCallbackUrl: (m) =>
            `${config.PUBLIC_BASE_URL}/v1/webhooks/twilio?notificationId=${m.notificationId}`,
        }
      : {}),
    maxSegments: config.SMS_MAX_SEGMENTS,
    maxConnections: config.DISPATCH_CONCURRENCY,
    onSegments: (n) => segments.observe(n),
  });
  await startDispatcher(rt, {
    channel: 'SMS',
    providers: [{ sender, rateLimit: config.PROVIDER_RATE_LIMIT }],
    settings: config,
  });
}

main().catch((err: unknown) => exitOnStartFailure(err));
