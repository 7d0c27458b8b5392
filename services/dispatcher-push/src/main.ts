import { createRuntime, exitOnStartFailure, metricsFor, startDispatcher } from '@herald/shared';
import { loadConfig } from './config';
import { createFcmSender } from './adapters/fcm';

/** Composition root of the push dispatcher: notify.channel.push.* → Firebase Cloud Messaging. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dispatcher-push', config, { redis: true, postgres: true });
  const multicast = metricsFor.pushMulticastTokens(rt.registry);
  const sender = createFcmSender({
    projectId: config.FCM_PROJECT_ID,
    ...(config.FCM_SERVICE_ACCOUNT_JSON ? { serviceAccountJson: config.FCM_SERVICE_ACCOUNT_JSON } : {}),
    ...(config.FCM_SANDBOX_URL ? { sandboxUrl: config.FCM_SANDBOX_URL } : {}),
    onMulticast: (n) => multicast.observe(n),
  });
  await startDispatcher(rt, {
    channel: 'PUSH',
    providers: [{ sender, rateLimit: config.PROVIDER_RATE_LIMIT }],
    settings: config,
  });
}

main().catch((err: unknown) => exitOnStartFailure(err));
