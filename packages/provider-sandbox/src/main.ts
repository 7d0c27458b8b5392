import { createSandbox, sendGridWebhookPublicKey } from './app';
import { loadConfig } from './config';

/** Runs the provider sandbox for local development and end-to-end tests. */
async function main(): Promise<void> {
  const config = loadConfig();
  const sandbox = createSandbox({
    logger: config.logger,
    sendgridWebhookPrivateKey: config.sendgridWebhookPrivateKey,
    sendgridWebhookUrl: config.sendgridWebhookUrl,
    twilioCallbackOrigin: config.twilioCallbackOrigin,
  });
  const { app } = sandbox;
  await app.listen({ port: config.port, host: config.host });
  if (config.smtpPort !== 0) {
    const { port } = await sandbox.smtp.listen(config.smtpPort, config.host);
    app.log.info({ smtp: `smtp://${config.host}:${port}` }, 'SMTP listening (any user and password, no TLS)');
  }
  app.log.info(
    {
      sendgridPublicKey: sendGridWebhookPublicKey(sandbox),
      generated: config.sendgridWebhookPrivateKey === undefined,
      sendgridWebhookUrl: config.sendgridWebhookUrl ?? null,
    },
    'SendGrid events are signed with this key',
  );
  if (config.twilioCallbackOrigin !== undefined) {
    app.log.info(
      { twilioCallbackOrigin: config.twilioCallbackOrigin },
      "Twilio status callbacks go to this origin with the StatusCallback's path and query, signed over the StatusCallback",
    );
  }

  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) process.exit(1);
    closing = true;
    app.log.info({ signal }, 'closing');
    // Closes the SMTP server too.
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
