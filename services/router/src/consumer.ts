import { HeraldError, classifyError, dlqRecord, stableEventId, statusEvent, yieldTurn } from '@herald/shared';
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
  TopicNames,
} from '@herald/shared';
import { decideChannels, recipientFor } from './domain/decide';
import type { ChannelDecision, StoredUser } from './domain/decide';
import { render } from './domain/render';
import { isExpired, validateRequest } from './domain/request';
import type { TemplateStore } from './adapters/templates';
import type { UserDirectory } from './adapters/users';

export interface RouterDeps {
  codec: Codec;
  topics: TopicNames;
  users: UserDirectory;
  templates: TemplateStore;
  clock: () => number;
  log: Logger;
  metrics: { decisions: Counter<'outcome' | 'channel'> };
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
 * The router's decisions: decode → validate → expired? → recipient → one decision per channel →
 * render → one ChannelMessage per address, with a single `routed` event that lists every
 * channel's decision. A record that cannot be decoded, is invalid or cannot be rendered goes to
 * notify.dlq with the reason. Per fetched batch, the users are read in one query.
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
      if (isExpired(request, now)) return { records: [routedEvent(deps, request, [], now, 'EXPIRED')] };

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
    userId: request.userId,
    category: request.category,
    priority: request.priority,
    createdAt: request.createdAt,
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
