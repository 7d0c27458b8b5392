import {
  HeraldError,
  classifyError,
  copyKey,
  delayedRecord,
  dlqRecord,
  headersToRecord,
  stableEventId,
  statusEvent,
  yieldTurn,
} from '@herald/shared';
import type {
  ChannelMessage,
  Codec,
  Counter,
  InboundRecord,
  Logger,
  NotificationRequest,
  OutboundRecord,
  Outcome,
  RecordProcessor,
  Tier,
  TopicNames,
} from '@herald/shared';
import { decideChannels, recipientFor } from './domain/decide';
import type { ChannelDecision, StoredUser } from './domain/decide';
import { render } from './domain/render';
import { timingOf, validateRequest } from './domain/request';
import type { TemplateStore } from './adapters/templates';
import type { UserDirectory } from './adapters/users';

export interface RouterDeps {
  codec: Codec;
  topics: TopicNames;
  users: UserDirectory;
  templates: TemplateStore;
  /** The delay tiers, for requests whose `sendAt` is ahead. */
  tiers: readonly Tier[];
  clock: () => number;
  log: Logger;
  metrics: { decisions: Counter<'outcome' | 'channel'>; scheduled: Counter<'tier' | 'kind'> };
}

const SERVICE = 'router';

type Checked = { request: NotificationRequest; data: Record<string, unknown> };

/** A fetched batch, decoded and validated, with the users it names read in one query. */
interface Prepared {
  requests: Map<InboundRecord, Checked | HeraldError>;
  users: Map<string, StoredUser | null>;
}

async function check(codec: Codec, record: InboundRecord): Promise<Checked> {
  const checked = validateRequest(await codec.decode(record.value));
  if (!checked.ok) throw new HeraldError('invalid_request', checked.reason);
  return { request: checked.request, data: checked.data };
}

/**
 * The router's decisions: decode → validate → expired? → due? → recipient → one decision per channel →
 * render → one ChannelMessage per address, with a single `routed` event that lists every
 * channel's decision. A record that cannot be decoded, is invalid or cannot be rendered goes to
 * notify.dlq with the reason. A request whose `sendAt` is ahead is handed to the delay engine, bound
 * for its priority topic, and comes back here when due. Per fetched batch, the users are read in
 * one query.
 */
export function createRouterProcessor(deps: RouterDeps): RecordProcessor<Prepared> {
  return {
    async prepare(records) {
      const requests: Prepared['requests'] = new Map();
      for (const record of records) {
        await yieldTurn(record.lane);
        try {
          requests.set(record, await check(deps.codec, record));
        } catch (e) {
          const err = classifyError(e);
          if (err.disposition === 'wait') throw err;
          requests.set(record, err);
        }
      }
      const ids = new Set<string>();
      for (const c of requests.values()) if (!(c instanceof HeraldError)) ids.add(c.request.userId);
      return { requests, users: await deps.users.findMany([...ids]) };
    },

    async handle(record, prepared): Promise<Outcome> {
      const checked = prepared?.requests.get(record) ?? (await check(deps.codec, record));
      if (checked instanceof HeraldError) throw checked;
      const { request, data } = checked;
      const now = deps.clock();
      const timing = timingOf(request, now);
      if (timing.kind === 'expired') return { records: [routedEvent(deps, request, [], now, 'EXPIRED')] };
      if (timing.kind === 'later') return deferred(deps, record, request, timing.at, now);

      const user = prepared?.users.has(request.userId)
        ? (prepared.users.get(request.userId) ?? null)
        : await deps.users.find(request.userId);
      const recipient = recipientFor(request, user);
      const decisions = decideChannels(request, recipient);
      const messages = await renderMessages(deps, request, data, recipient.locale, decisions);
      return {
        records: [...messages, routedEvent(deps, request, decisions, now, 'ROUTED')],
        done: () => {
          for (const d of decisions) {
            deps.metrics.decisions.inc({
              channel: d.channel,
              outcome: d.kind === 'deliver' ? 'deliver' : d.reason,
            });
          }
          deps.log.info(
            { notificationId: request.id, decisions: decisions.map((d) => `${d.channel}:${d.kind}`) },
            'routed',
          );
        },
      };
    },

    onFailure: (record, err) => [dlqRecord(deps.topics, record, err, deps.clock())],
  };
}

/** Held by the delay engine until `sendAt`, then routed again from its priority topic. */
function deferred(
  deps: RouterDeps,
  record: InboundRecord,
  request: NotificationRequest,
  until: number,
  now: number,
): Outcome {
  const { record: delayed, tier } = delayedRecord(
    deps.topics,
    deps.tiers,
    { key: copyKey(record), value: record.value, headers: headersToRecord(record.headers) },
    deps.topics.priority(request.priority),
    until,
    now,
  );
  return {
    records: [
      delayed,
      {
        topic: deps.topics.status,
        key: request.id,
        value: statusEvent({
          eventId: stableEventId(request.id, 'DEFERRED', String(until)),
          notificationId: request.id,
          status: 'DEFERRED',
          service: SERVICE,
          at: now,
          reason: 'send_at',
          detail: { ...summaryOf(request), until: new Date(until).toISOString() },
        }),
      },
    ],
    done: () => {
      deps.metrics.scheduled.inc({ tier: tier.name, kind: 'deferred' });
      deps.log.info({ notificationId: request.id, sendAt: new Date(until).toISOString() }, 'deferred');
    },
  };
}

/** Who and what a notification is about: the projection keeps it for requests that bypassed ingest. */
function summaryOf(request: NotificationRequest) {
  return {
    userId: request.userId,
    category: request.category,
    priority: request.priority,
    createdAt: request.createdAt,
  };
}

async function renderMessages(
  deps: RouterDeps,
  request: NotificationRequest,
  data: Record<string, unknown>,
  locale: string,
  decisions: ChannelDecision[],
): Promise<OutboundRecord[]> {
  const out: OutboundRecord[] = [];
  const templateId = request.templateId ?? 'generic';
  for (const decision of decisions) {
    if (decision.kind !== 'deliver') continue;
    const template = await deps.templates.find(templateId, decision.channel, locale);
    if (!template) {
      throw new HeraldError(
        'invalid_template',
        `no template ${templateId} for ${decision.channel} in ${locale} or en`,
      );
    }
    const content = render(template, data);
    for (const address of decision.addresses) {
      const message: ChannelMessage = {
        notificationId: request.id,
        userId: request.userId,
        category: request.category,
        channel: decision.channel,
        priority: request.priority,
        address,
        ...content,
        data: JSON.stringify({ notificationId: request.id, category: request.category }),
        locale,
        createdAt: request.createdAt,
        expiresAt: request.expiresAt,
      };
      out.push({
        topic: deps.topics.channel(decision.channel, request.priority),
        key: request.userId,
        value: message,
      });
    }
  }
  return out;
}

function routedEvent(
  deps: RouterDeps,
  request: NotificationRequest,
  decisions: ChannelDecision[],
  now: number,
  status: 'ROUTED' | 'EXPIRED',
): OutboundRecord {
  const detail = {
    ...summaryOf(request),
    decisions: decisions.map((d) =>
      d.kind === 'deliver'
        ? { channel: d.channel, decision: 'deliver', addresses: d.addresses.length }
        : { channel: d.channel, decision: 'suppressed', reason: d.reason },
    ),
  };
  return {
    topic: deps.topics.status,
    key: request.id,
    value: statusEvent({
      eventId: stableEventId(request.id, status),
      notificationId: request.id,
      status,
      service: SERVICE,
      at: now,
      detail,
    }),
  };
}
