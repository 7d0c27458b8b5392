import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A registry per process, with Node's default metrics. Metric names follow DESIGN.md §8. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  return registry;
}

/**
 * Creates, at 0, the series of every combination of the given label values. A counter with labels
 * has no series until its first inc, and rate() and increase() never see that first inc (the series
 * appears at 1): the first replay, suppression or circuit change after a start would show in no
 * dashboard and no alert. Only for label values known up front; open sets (provider error codes)
 * use openSetCounter.
 */
export function zeroSeries<L extends string>(
  counter: Counter<L>,
  values: { [K in L]: readonly string[] },
): void {
  let combos: Partial<Record<L, string>>[] = [{}];
  for (const [label, options] of Object.entries(values) as [L, readonly string[]][]) {
    combos = combos.flatMap((c) => options.map((o) => ({ ...c, [label]: o })));
  }
  for (const labels of combos) counter.inc(labels as Record<L, string>, 0);
}

/** What code needs of a labelled counter: one labelled count at a time. */
export interface LabelledCounter<L extends string> {
  inc(labels: Partial<Record<L, string | number>>, value?: number): void;
}

/**
 * A counter for an open set of label values (a provider's error codes), whose series cannot be
 * created at 0 beforehand as zeroSeries does: a new series is created at 0 and its count is added at
 * the scrape after the next one, so Prometheus sees it go from 0 up and rate() and increase() count
 * the first occurrence too. Only a new series waits (one scrape interval); known ones count at once.
 */
export function openSetCounter<L extends string>(
  config: Omit<ConstructorParameters<typeof Counter<L>>[0], 'collect'>,
): LabelledCounter<L> {
  /** New series' counts, with how many scrapes have seen them at 0. */
  const pending = new Map<
    string,
    { labels: Partial<Record<L, string | number>>; value: number; seen: number }
  >();
  const counter: Counter<L> = new Counter<L>({
    ...config,
    collect() {
      for (const [key, p] of pending) {
        if (p.seen === 0) {
          p.seen = 1;
          continue;
        }
        counter.inc(p.labels, p.value);
        pending.delete(key);
      }
    },
  });
  const known = new Set<string>();
  return {
    inc(labels, value = 1) {
      const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
      const waiting = pending.get(key);
      if (waiting) {
        waiting.value += value;
      } else if (known.has(key)) {
        counter.inc(labels, value);
      } else {
        known.add(key);
        counter.inc(labels, 0);
        pending.set(key, { labels, value, seen: 0 });
      }
    },
  };
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** An API request, from arrival to the reply sent: up to the servers' 30 s request timeout. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Each service creates the metrics it reports, in its own registry. */
export const metricsFor = {
  acceptedRequests: (r: Registry) =>
    new Counter({
      name: 'herald_requests_accepted_total',
      help: 'Notification requests accepted, by priority and source',
      labelNames: ['priority', 'source'] as const,
      registers: [r],
    }),
  routerDecisions: (r: Registry) =>
    new Counter({
      name: 'herald_router_decisions_total',
      help: 'Router decisions per channel, by outcome',
      labelNames: ['outcome', 'channel'] as const,
      registers: [r],
    }),
  dispatchAttempts: (r: Registry) =>
    new Counter({
      name: 'herald_dispatch_attempts_total',
      help: 'Provider send attempts, by channel, provider and outcome',
      labelNames: ['channel', 'provider', 'outcome'] as const,
      registers: [r],
    }),
  dispatchDuration: (r: Registry) =>
    new Histogram({
      name: 'herald_dispatch_duration_seconds',
      help: 'Provider call duration',
      labelNames: ['channel', 'provider'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [r],
    }),
  /** 0 closed, 1 half-open, 2 open; `state` reads the breaker when scraped. */
  circuitState: (r: Registry, state: () => Record<string, number>) =>
    new Gauge({
      name: 'herald_circuit_state',
      help: "A provider's circuit in this replica: 0 closed, 1 half-open, 2 open",
      labelNames: ['provider'] as const,
      registers: [r],
      collect() {
        for (const [provider, value] of Object.entries(state())) this.set({ provider }, value);
      },
    }),
  circuitTransitions: (r: Registry) =>
    new Counter({
      name: 'herald_circuit_transitions_total',
      help: "Changes of a provider's circuit state in this replica, by the state entered",
      labelNames: ['provider', 'to'] as const,
      registers: [r],
    }),
  dispatchThrottled: (r: Registry) =>
    new Counter({
      name: 'herald_dispatch_throttled_seconds_total',
      help: "Time sends waited for the provider's shared rate limit",
      labelNames: ['provider'] as const,
      registers: [r],
    }),
  dispatchDeferred: (r: Registry) =>
    new Counter({
      name: 'herald_dispatch_deferred_total',
      help: 'Messages handed to the delay engine unsent, by channel and reason (circuit_open)',
      labelNames: ['channel', 'reason'] as const,
      registers: [r],
    }),
  addressesSuppressed: (r: Registry) =>
    new Counter({
      name: 'herald_addresses_suppressed_total',
      help: 'Addresses suppressed after a provider said they cannot receive, by channel and source',
      labelNames: ['channel', 'source'] as const,
      registers: [r],
    }),
  providerErrors: (r: Registry) =>
    openSetCounter({
      name: 'herald_provider_errors_total',
      help: "Provider failures by provider, the provider's own code, and class (transient, permanent)",
      labelNames: ['provider', 'code', 'class'] as const,
      registers: [r],
    }),
  smsSegments: (r: Registry) =>
    new Histogram({
      name: 'herald_sms_segments',
      help: 'Segments per SMS body (GSM-7 160/153, UCS-2 70/67)',
      buckets: [1, 2, 3, 4, 6, 8, 10],
      registers: [r],
    }),
  /** The duplicate window: a crash inside it sends the message again (docs/architecture.md). */
  dispatchUnrecorded: (r: Registry) =>
    new Histogram({
      name: 'herald_dispatch_unrecorded_seconds',
      help: "From the provider's acceptance to the delivery key recorded: a crash in between sends again",
      labelNames: ['channel'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [r],
    }),
  pushMulticastTokens: (r: Registry) =>
    new Histogram({
      name: 'herald_push_multicast_tokens',
      help: 'Tokens per sendEachForMulticast call (messages of the same content sent together)',
      buckets: [1, 2, 5, 10, 50, 100, 500],
      registers: [r],
    }),
  endToEndLatency: (r: Registry) =>
    new Histogram({
      name: 'herald_end_to_end_latency_seconds',
      help: 'From createdAt (or from sendAt, for a scheduled or deferred message) to provider accepted, by channel and priority',
      labelNames: ['channel', 'priority'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [r],
    }),
  parked: (r: Registry) =>
    new Counter({
      name: 'herald_parked_total',
      help: 'Messages parked, by reason',
      labelNames: ['reason'] as const,
      registers: [r],
    }),
  statusEventsProjected: (r: Registry) =>
    new Counter({
      name: 'herald_status_events_projected_total',
      help: 'Status events written to the status projection',
      registers: [r],
    }),
  statusProjectionLag: (r: Registry) =>
    new Gauge({
      name: 'herald_status_projection_lag_seconds',
      help: 'Age of the newest status event at the time it was projected',
      registers: [r],
    }),
  consumerLag: (r: Registry) =>
    new Gauge({
      name: 'herald_consumer_lag',
      help: 'Messages behind the partition end, by consumer group and topic',
      labelNames: ['group', 'topic'] as const,
      registers: [r],
    }),
  delayScheduled: (r: Registry) =>
    new Counter({
      name: 'herald_delay_scheduled_total',
      help: 'Records handed to the delay engine, by tier entered and kind (retry, deferred)',
      labelNames: ['tier', 'kind'] as const,
      registers: [r],
    }),
  delayForwarded: (r: Registry) =>
    new Counter({
      name: 'herald_delay_forwarded_total',
      help: 'Records leaving a delay tier, by tier and where to (target: released; tier: waits on)',
      labelNames: ['tier', 'to'] as const,
      registers: [r],
    }),
  delayReleaseLateness: (r: Registry) =>
    new Histogram({
      name: 'herald_delay_release_lateness_seconds',
      help: 'Release accuracy: when a record was released to its target minus when it was due',
      labelNames: ['tier'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 5, 10, 30, 60, 300],
      registers: [r],
    }),
  delayWaiting: (r: Registry) =>
    new Gauge({
      name: 'herald_delay_waiting',
      help: 'Records waiting in a delay tier (lag by design, kept out of herald_consumer_lag)',
      labelNames: ['group', 'topic'] as const,
      registers: [r],
    }),
  delayOverdue: (r: Registry) =>
    new Gauge({
      name: 'herald_delay_overdue_seconds',
      help: "How long a delay tier's oldest waiting record has stood unmoved beyond the tier's length plus a grace (0 while the tier keeps up; growing when it is stuck)",
      labelNames: ['group', 'topic'] as const,
      registers: [r],
    }),
  delayReleasedEarly: (r: Registry) =>
    new Counter({
      name: 'herald_delay_released_early_total',
      help: 'Records released before their due time (never expected: the lateness histogram counts the others)',
      labelNames: ['tier'] as const,
      registers: [r],
    }),
  retryDecisions: (r: Registry) =>
    new Counter({
      name: 'herald_retry_decisions_total',
      help: 'What the retry engine decided for a failed attempt (retry, park, expire), by channel',
      labelNames: ['decision', 'channel'] as const,
      registers: [r],
    }),
  /** The API servers' replies (ingest, the dlq admin API); `route` is the route's template. */
  httpRequests: (r: Registry) =>
    new Counter({
      name: 'herald_http_requests_total',
      help: "API requests answered, by method, route template ('unmatched' when no route matched) and status code",
      labelNames: ['method', 'route', 'status_code'] as const,
      registers: [r],
    }),
  httpRequestDuration: (r: Registry) =>
    new Histogram({
      name: 'herald_http_request_duration_seconds',
      help: "API request duration, from arrival to the reply sent, by method and route template ('unmatched' when no route matched)",
      labelNames: ['method', 'route'] as const,
      buckets: HTTP_BUCKETS,
      registers: [r],
    }),
};
