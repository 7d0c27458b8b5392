import type { FastifyInstance } from 'fastify';
import { parseFaultSpec } from '../faults';
import { renderInbox } from '../page';
import { PROVIDERS, SANDBOX_CHANNELS } from '../store';
import type { MessageFilter, SandboxChannel, SandboxProvider } from '../store';
import { isRecord } from './common';
import type { RouteContext } from './common';

type FilterResult = { ok: true; value: MessageFilter } | { ok: false; problems: string[] };

/** Reads `GET /api/messages` query filters; unknown names and values are refused rather than ignored. */
export function parseMessageFilter(query: unknown): FilterResult {
  const q = isRecord(query) ? query : {};
  const problems: string[] = [];
  const filter: MessageFilter = {};
  for (const [key, value] of Object.entries(q)) {
    if (typeof value !== 'string') {
      problems.push(`${key} must be given once`);
    } else if (key === 'channel' && SANDBOX_CHANNELS.includes(value as SandboxChannel)) {
      filter.channel = value as SandboxChannel;
    } else if (key === 'provider' && PROVIDERS.includes(value as SandboxProvider)) {
      filter.provider = value as SandboxProvider;
    } else if (key === 'to') {
      filter.to = value;
    } else if (key === 'accepted' && (value === 'true' || value === 'false')) {
      filter.accepted = value === 'true';
    } else if (['channel', 'provider', 'accepted'].includes(key)) {
      problems.push(`invalid ${key} '${value}'`);
    } else {
      problems.push(`unknown filter '${key}' (use channel, provider, to, accepted)`);
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: filter };
}

export interface StatsQuery {
  provider: SandboxProvider;
  to?: string;
}

type StatsResult = { ok: true; value: StatsQuery } | { ok: false; problems: string[] };

/** Reads `GET /api/stats?provider=<p>[&to=<recipient>]`; the provider is required. */
export function parseStatsQuery(query: unknown): StatsResult {
  const q = isRecord(query) ? query : {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(q)) {
    if (key !== 'provider' && key !== 'to') problems.push(`unknown parameter '${key}' (use provider, to)`);
    else if (typeof value !== 'string') problems.push(`${key} must be given once`);
  }
  const { provider, to } = q;
  if (provider === undefined) problems.push(`provider is required (one of ${PROVIDERS.join(', ')})`);
  else if (typeof provider === 'string' && !PROVIDERS.includes(provider as SandboxProvider)) {
    problems.push(`invalid provider '${provider}' (use ${PROVIDERS.join(', ')})`);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: { provider: provider as SandboxProvider, ...(typeof to === 'string' ? { to } : {}) },
  };
}

type CursorResult = { ok: true; after: number; limit: number } | { ok: false; problems: string[] };

/** Reads `GET /api/deliveries?after=<cursor>&limit=<n>`; both optional, non-negative integers. */
export function parseCursor(query: unknown): CursorResult {
  const q = isRecord(query) ? query : {};
  const problems: string[] = [];
  const read = (name: string, fallback: number): number => {
    const value = q[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) {
      problems.push(`${name} must be a non-negative integer`);
      return fallback;
    }
    return Number(value);
  };
  for (const key of Object.keys(q)) {
    if (key !== 'after' && key !== 'limit') problems.push(`unknown parameter '${key}' (use after, limit)`);
  }
  const after = read('after', 0);
  const limit = read('limit', 50_000);
  return problems.length ? { ok: false, problems } : { ok: true, after, limit };
}

export function registerApi(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  app.get('/api/messages', (request, reply) => {
    const filter = parseMessageFilter(request.query);
    if (!filter.ok) return reply.code(400).send({ error: 'bad_request', problems: filter.problems });
    return reply.send({ messages: ctx.store.list(filter.value) });
  });

  app.delete('/api/messages', (_request, reply) => {
    ctx.store.clear();
    return reply.code(204).send();
  });

  app.get('/api/deliveries', (request, reply) => {
    const cursor = parseCursor(request.query);
    if (!cursor.ok) return reply.code(400).send({ error: 'bad_request', problems: cursor.problems });
    return reply.send(ctx.ledger.page(cursor.after, cursor.limit));
  });

  app.delete('/api/deliveries', (_request, reply) => {
    ctx.ledger.clear();
    return reply.code(204).send();
  });

  app.get('/api/faults', (_request, reply) => reply.send({ faults: ctx.faults.list() }));

  app.post('/api/faults', (request, reply) => {
    const spec = parseFaultSpec(request.body);
    if (!spec.ok) return reply.code(400).send({ error: 'bad_request', problems: spec.problems });
    ctx.faults.set(spec.value);
    return reply.send({ fault: spec.value });
  });

  app.delete('/api/faults', (_request, reply) => {
    ctx.faults.clear();
    return reply.code(204).send();
  });

  app.delete<{ Params: { provider: string } }>('/api/faults/:provider', (request, reply) => {
    const { provider } = request.params;
    if (!PROVIDERS.includes(provider as SandboxProvider)) {
      const problem = `invalid provider '${provider}' (use ${PROVIDERS.join(', ')})`;
      return reply.code(400).send({ error: 'bad_request', problems: [problem] });
    }
    ctx.faults.clear(provider as SandboxProvider);
    return reply.code(204).send();
  });

  app.get('/api/stats', (request, reply) => {
    const query = parseStatsQuery(request.query);
    if (!query.ok) return reply.code(400).send({ error: 'bad_request', problems: query.problems });
    const messages = ctx.store.list(query.value);
    return reply.send({
      ...query.value,
      requests: messages.length,
      accepted: messages.filter((m) => m.accepted).length,
      maxPerSecond: ctx.store.maxPerSecond(query.value),
    });
  });

  app.get('/', (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderInbox(ctx.store.list(), ctx.faults.list())),
  );
}
