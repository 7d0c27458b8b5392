import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { CHANNELS, zeroSeries } from '@herald/shared';

/** The dead-letter admin API's metrics (DESIGN.md §8), in the dlq's registry. */
export interface AdminMetrics {
  replayed: Counter<'channel'>;
  discarded: Counter<'channel'>;
}

/**
 * `oldestParkedAt` is asked at each scrape; when Postgres cannot answer, the age keeps its last
 * value rather than failing the scrape (or dropping to zero, which would clear an alert).
 */
export function createAdminMetrics(
  registry: Registry,
  oldestParkedAt: () => Promise<Date | null>,
  clock: () => number = Date.now,
): AdminMetrics {
  let age = 0;
  new Gauge({
    name: 'herald_parked_oldest_age_seconds',
    help: 'Age of the oldest dead letter still parked (0 when none is)',
    registers: [registry],
    async collect() {
      try {
        const at = await oldestParkedAt();
        age = at ? Math.max(0, (clock() - at.getTime()) / 1000) : 0;
      } catch {
        // Quietly the last value: a scrape must not fail because Postgres is away.
      }
      this.set(age);
    },
  });
  const metrics: AdminMetrics = {
    replayed: new Counter({
      name: 'herald_dead_letters_replayed_total',
      help: 'Dead letters replayed by an operator (one by one or in bulk), by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    discarded: new Counter({
      name: 'herald_dead_letters_discarded_total',
      help: 'Dead letters discarded by an operator, by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
  };
  // From the start, at 0 (`channel="none"` for a letter without one): the first replay shows too.
  for (const counter of [metrics.replayed, metrics.discarded]) {
    zeroSeries(counter, { channel: [...CHANNELS, 'none'] });
  }
  return metrics;
}
