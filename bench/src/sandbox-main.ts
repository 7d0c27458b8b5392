import { createSandbox } from '@herald/provider-sandbox';

/**
 * The benchmark's provider sandbox, a process of its own so its CPU is neither the bench's nor a
 * service's: keeps no messages, only counts and the compact delivery ledger (GET /api/deliveries).
 * Usage: node sandbox-main.js <port>
 */
async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? '0');
  const { app } = createSandbox({ capacity: 0, keepDeliveries: true });
  await app.listen({ port, host: '127.0.0.1' });
  const stop = () => void app.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
