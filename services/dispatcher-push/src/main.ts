import { createRuntime, exitOnStartFailure, startDispatcher } from '@herald/shared';
import { loadConfig } from './config';
import { createFcmSender } from './adapters/fcm';

/** Composition root of the push dispatcher: notify.channel.push.* → Firebase Cloud Messaging. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dispatcher-push', config, { redis: true });
  const sender = createFcmSender({
    projectId: config.FCM_PROJECT_ID,
    ...(config.FCM_SERVICE_ACCOUNT_JSON ? { serviceAccountJson: config.FCM_SERVICE_ACCOUNT_JSON } : {}),
    ...(config.FCM_SANDBOX_URL ? { sandboxUrl: config.FCM_SANDBOX_URL } : {}),
  });
  await startDispatcher(rt, {
    channel: 'PUSH',
    sender,
    http: { port: config.HTTP_PORT, host: config.HTTP_HOST },
    concurrency: config.DISPATCH_CONCURRENCY,
    claimLeaseMs: config.DISPATCH_CLAIM_LEASE_MS,
    lanes: config.CONSUMER_LANES,
  });
}

main().catch((err: unknown) => exitOnStartFailure(err));
