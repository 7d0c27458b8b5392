import { HeraldError, stableEventId, statusEvent, withDeadLetters } from '@herald/shared';
import type {
  ChannelMessage,
  Codec,
  Counter,
  Logger,
  NotificationRequest,
  OutboundRecord,
  Publisher,
  RecordHandler,
  TopicNames,
} from '@herald/shared';
import { decideChannels, recipientFor } from './domain/decide';
import type { ChannelDecision } from './domain/decide';
import { render } from './domain/render';
import { isExpired, validateRequest } from './domain/request';
import type { TemplateStore } from './adapters/templates';
import type { UserDirectory } from './adapters/users';

export interface RouterDeps {
  codec: Codec;
  publisher: Publisher;
  topics: TopicNames;
  users: UserDirectory;
  templates: TemplateStore;
  clock: () => number;
  log: Logger;
  metrics: { decisions: Counter<'outcome' | 'channel'> };
}

const SERVICE = 'router';

/**
 * The router's per-record flow: decode → validate → expired? → recipient → one decision per
 * channel → render → fan out one ChannelMessage per address, with a single `routed` event that
 * lists every channel's decision. A record that cannot be decoded, is invalid or cannot be
 * rendered goes to notify.dlq with the reason, and the partition moves on.
 */
export function createRouterHandler(deps: RouterDeps): RecordHandler {
  const { publisher, log } = deps;

  const route: RecordHandler = async (record) => {
    const checked = validateRequest(await deps.codec.decode(record.value));
    if (!checked.ok) throw new HeraldError('invalid_request', checked.reason);
    const { request, data } = checked;
    const now = deps.clock();
    if (isExpired(request, now)) {
      await publisher.publish([routedEvent(deps, request, [], now, 'EXPIRED')]);
      return;
    }

    const recipient = recipientFor(request, await deps.users.find(request.userId));
    const decisions = decideChannels(request, recipient);
    const messages = await renderMessages(deps, request, data, recipient.locale, decisions);
    await publisher.publish([...messages, routedEvent(deps, request, decisions, now, 'ROUTED')]);
    for (const d of decisions) {
      deps.metrics.decisions.inc({
        channel: d.channel,
        outcome: d.kind === 'deliver' ? 'deliver' : d.reason,
      });
    }
    log.info(
      { notificationId: request.id, decisions: decisions.map((d) => `${d.channel}:${d.kind}`) },
      'routed',
    );
  };

  return withDeadLetters(route, deps);
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
