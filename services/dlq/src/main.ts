import {
  createRuntime,
  exitOnStartFailure,
  installShutdown,
  metricsFor,
  startConsumers,
} from '@herald/shared';
import { loadConfig } from './config';
import { buildApp } from './app';
import { createDlqHandler } from './consumer';
import { pgDeadLetters } from './adapters/dead-letters';

/** Composition root of the dlq service: notify.dlq in, dead_letters + notify.parked out, admin API. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dlq', config);
  const deadLetters = pgDeadLetters(rt.pool);

  const consumers = await startConsumers({
    kafka: rt.kafka,
    groups: [{ groupId: rt.topics.group('herald-dlq'), topics: [rt.topics.dlq] }],
    handle: createDlqHandler({
      codec: rt.codec,
      publisher: rt.publisher,
      topics: rt.topics,
      deadLetters,
      clock: Date.now,
      log: rt.log,
      metrics: { parked: metricsFor.parked(rt.registry) },
    }),
    log: rt.log,
    options: rt.consumerOptions,
    onFatal: (err) => rt.fatal(err),
    lag: rt.lag,
    partitionsConsumedConcurrently: config.DLQ_CONCURRENCY,
  });
  rt.readiness.checks.push(consumers.readiness());

  const http = buildApp(rt, deadLetters);
  await http.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  installShutdown(rt, { consumers: [consumers], http });
  rt.log.info({ port: config.HTTP_PORT }, 'dlq started');
}

main().catch((err: unknown) => exitOnStartFailure(err));
