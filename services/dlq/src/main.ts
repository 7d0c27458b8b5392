import {
  createRuntime,
  exitOnStartFailure,
  installShutdown,
  metricsFor,
  startConsumers,
} from '@herald/shared';
import { loadConfig } from './config';
import { buildApp } from './app';
import { createDlqProcessor } from './consumer';
import { pgDeadLetters } from './adapters/dead-letters';

/** Composition root of the dlq service: notify.dlq in, dead_letters + notify.parked out, admin API. */
async function main(): Promise<void> {
  const config = loadConfig();
  const rt = await createRuntime('dlq', config, { postgres: true });
  const deadLetters = pgDeadLetters(rt.pool);

  const consumers = await startConsumers({
    kafka: rt.kafka,
    groups: [{ groupId: rt.topics.group('herald-dlq'), topics: [rt.topics.dlq] }],
    processor: createDlqProcessor({
      codec: rt.codec,
      topics: rt.topics,
      deadLetters,
      clock: Date.now,
      log: rt.log,
      metrics: { parked: metricsFor.parked(rt.registry) },
    }),
    publisher: rt.publisher,
    topics: rt.topics,
    concurrency: config.DLQ_CONCURRENCY,
    orderByKey: false,
    log: rt.log,
    options: rt.consumerOptions,
    onFatal: (err) => rt.fatal(err),
    lag: rt.lag,
  });
  rt.readiness.checks.push(...consumers.readiness());

  const http = buildApp(rt, deadLetters);
  await http.listen({ port: config.HTTP_PORT, host: config.HTTP_HOST });
  installShutdown(rt, { consumers: [consumers], http });
  rt.log.info({ port: config.HTTP_PORT }, 'dlq started');
}

main().catch((err: unknown) => exitOnStartFailure(err));
