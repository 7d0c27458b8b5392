import { createSandbox } from './app';
import { loadConfig } from './config';

/** Runs the provider sandbox for local development and end-to-end tests. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { app } = createSandbox({ logger: config.logger });
  await app.listen({ port: config.port, host: config.host });

  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) process.exit(1);
    closing = true;
    app.log.info({ signal }, 'closing');
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
