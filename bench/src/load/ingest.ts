import type { LoadContext, LoadStats } from '../phase';
import { ratePerSecond, summarize } from '../stats';
import { toHttpBody } from '../workload';
import type { Planned } from '../workload';
import { httpClient, runConcurrently } from './http';

export interface IngestTarget {
  baseUrl: string;
  apiKey: string;
}

function idOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The per-item results of a batch answer: the first array in the body as long as the batch
 * (`results`, `items`, … — the endpoint is new), each item's `id` when it was accepted.
 */
export function batchIds(body: unknown, size: number): (string | undefined)[] | null {
  if (Array.isArray(body)) return body.length === size ? body.map(idOf) : null;
  if (typeof body !== 'object' || body === null) return null;
  for (const value of Object.values(body)) {
    if (Array.isArray(value) && value.length === size) return value.map(idOf);
  }
  return null;
}

/** What a load through ingest did, from its counters and request latencies, ended now. */
function stats(
  ctx: LoadContext,
  failures: Record<string, number>,
  startedAt: number,
  latencies: number[],
): LoadStats {
  const endedAt = Date.now();
  return {
    accepted: ctx.counters.accepted,
    failed: ctx.counters.failed,
    failures,
    startedAt,
    endedAt,
    acceptedPerSecond: ratePerSecond(ctx.counters.accepted, endedAt - startedAt),
    requests: latencies.length,
    requestsPerSecond: ratePerSecond(latencies.length, endedAt - startedAt),
    requestLatencyMs: summarize(latencies),
  };
}

function tally(failures: Record<string, number>, status: number | string): void {
  failures[String(status)] = (failures[String(status)] ?? 0) + 1;
}

/** (a2) POST /v1/notifications, one notification per request, over `connections` keep-alive connections. */
export async function postSingle(
  target: IngestTarget,
  planned: readonly Planned[],
  connections: number,
  ctx: LoadContext,
): Promise<LoadStats> {
  const client = httpClient(target.baseUrl, connections, { authorization: `Bearer ${target.apiKey}` });
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const startedAt = Date.now();
  try {
    await runConcurrently(planned.length, connections, async (i) => {
      const p = planned[i];
      if (!p) return;
      const at = Date.now();
      ctx.tracker.started(p.index, at);
      try {
        const res = await client.post('/v1/notifications', JSON.stringify(toHttpBody(p)));
        latencies.push(res.ms);
        const id = res.status === 202 ? idOf(JSON.parse(res.body)) : undefined;
        if (id !== undefined) {
          ctx.tracker.started(p.index, at, id);
          ctx.counters.accepted++;
          return;
        }
        tally(failures, res.status);
      } catch (err) {
        tally(failures, (err as { code?: string }).code ?? 'error');
      }
      ctx.tracker.dropped(p.index);
      ctx.counters.failed++;
    });
  } finally {
    client.close();
  }
  return stats(ctx, failures, startedAt, latencies);
}

/**
 * (a3) POST /v1/notifications/batch with `size` items per request, `concurrency` requests at a
 * time. A 404 on the first request means the endpoint is not there yet: the phase is skipped.
 */
export async function postBatches(
  target: IngestTarget,
  planned: readonly Planned[],
  size: number,
  concurrency: number,
  ctx: LoadContext,
): Promise<LoadStats> {
  const client = httpClient(target.baseUrl, concurrency, { authorization: `Bearer ${target.apiKey}` });
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const startedAt = Date.now();
  const chunks = Math.ceil(planned.length / size);
  let missing = false;
  const send = async (c: number) => {
    if (missing) return;
    const slice = planned.slice(c * size, (c + 1) * size);
    const at = Date.now();
    for (const p of slice) ctx.tracker.started(p.index, at);
    const drop = (status: number | string) => {
      for (const p of slice) ctx.tracker.dropped(p.index);
      ctx.counters.failed += slice.length;
      tally(failures, status);
    };
    try {
      const res = await client.post(
        '/v1/notifications/batch',
        JSON.stringify({ notifications: slice.map(toHttpBody) }),
      );
      latencies.push(res.ms);
      if (res.status === 404 && ctx.counters.accepted === 0) missing = true;
      if (res.status < 200 || res.status >= 300) return drop(res.status);
      const ids = batchIds(JSON.parse(res.body), slice.length);
      if (!ids) return drop('unreadable answer');
      slice.forEach((p, k) => {
        const id = ids[k];
        if (id === undefined) {
          ctx.tracker.dropped(p.index);
          ctx.counters.failed++;
          tally(failures, 'item refused');
        } else {
          ctx.tracker.started(p.index, at, id);
          ctx.counters.accepted++;
        }
      });
    } catch (err) {
      drop((err as { code?: string }).code ?? 'error');
    }
  };
  try {
    // The first request alone: it tells whether the endpoint exists.
    await send(0);
    await runConcurrently(chunks - 1, concurrency, (c) => send(c + 1));
  } finally {
    client.close();
  }
  return {
    ...stats(ctx, failures, startedAt, latencies),
    ...(missing ? { skipped: 'endpoint missing (POST /v1/notifications/batch answered 404)' } : {}),
  };
}
