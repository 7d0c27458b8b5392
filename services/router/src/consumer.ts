import { H, HeraldError, classifyError, failureHeaders, headerString, statusEvent } from '@herald/shared';
import type {
  ChannelMessage,
  Codec,
  Counter,
  InboundRecord,
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
 * lists every channel's decision. Records that cannot be decoded or are invalid go to notify.dlq
 * as permanent failures (parked there), and the partition moves on.
 */
export function createRouterHandler(deps: RouterDeps): RecordHandler {
  const { publisher, topics, log } = deps;

  const toDlq = (record: InboundRecord, err: HeraldError) =>
    publisher.publish([
      {
        topic: topics.dlq,
        key: record.key?.toString() ?? null,
        value: record.value,
        headers: failureHeaders(err, {
          sourceTopic: record.topic,
          previous: {
            attempt: headerString(record.headers, H.attempt),
            firstFailedAt: headerString(record.headers, H.firstFailedAt),
            targetTopic: headerString(record.headers, H.targetTopic),
          },
          now: deps.clock(),
        }),
      },
    ]);

  return async (record) => {
    let decoded: NotificationRequest;
    try {
      decoded = (await deps.codec.decode(record.value)) as NotificationRequest;
    } catch (e) {
      const err = classifyError(e);
      if (err.retriable) throw err;
      log.warn({ topic: record.topic, offset: record.offset, code: err.code }, 'parking undecodable request');
      await toDlq(record, err);
      return;
    }
    const checked = validateRequest(decoded);
    if (!checked.ok) {
      log.warn({ notificationId: decoded.id, reason: checked.reason }, 'parking invalid request');
      await toDlq(record, new HeraldError('invalid_request', checked.reason));
      return;
    }
    const { request, data } = checked;
    const now = deps.clock();
    if (isExpired(request, now)) {
      await publisher.publish([routedEvent(deps, request, [], now, 'EXPIRED')]);
      return;
    }

    const recipient = recipientFor(request, await deps.users.find(request.userId));
    const decisions = decideChannels(request, recipient);
    let messages: OutboundRecord[];
    try {
      messages = await renderMessages(deps, request, data, recipient.locale, decisions);
    } catch (e) {
      const err = classifyError(e);
      if (err.retriable) throw err;
      log.warn({ notificationId: request.id, code: err.code, reason: err.message }, 'parking request');
      await toDlq(record, err);
      return;
    }
    for (const d of decisions) {
      deps.metrics.decisions.inc({
        channel: d.channel,
        outcome: d.kind === 'deliver' ? 'deliver' : d.reason,
      });
    }
    await publisher.publish([...messages, routedEvent(deps, request, decisions, now, 'ROUTED')]);
    log.info(
      { notificationId: request.id, decisions: decisions.map((d) => `${d.channel}:${d.kind}`) },
      'routed',
    );
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
    value: statusEvent({ notificationId: request.id, status, service: SERVICE, at: now, detail }),
  };
}
