import {
  HeraldError,
  copyKey,
  delayedRecord,
  headersToRecord,
  localeChain,
  renderTemplate,
  stableEventId,
  statusEvent,
} from '@herald/shared';
import type {
  ChannelMessage,
  Codec,
  InboundRecord,
  NotificationRequest,
  OutboundRecord,
  Tier,
  TopicNames,
} from '@herald/shared';
import type { ChannelDecision } from './domain/decide';
import type { TemplateStore } from './adapters/templates';

/** What building the router's output records needs. */
export interface OutputDeps {
  codec: Codec;
  topics: TopicNames;
  templates: TemplateStore;
  tiers: readonly Tier[];
}

const SERVICE = 'router';

/** Who and what a notification is about: the projection keeps it for requests that bypassed ingest. */
function summaryOf(request: NotificationRequest) {
  return {
    userId: request.userId,
    category: request.category,
    priority: request.priority,
    createdAt: request.createdAt,
  };
}

/**
 * One id per routing of a request: a redelivery produces the same event (the projection keeps
 * one), while a copy routed again later for a deferred channel (its own `sendAt`) is a new one.
 */
function routingEventId(request: NotificationRequest, status: string): string {
  return request.sendAt === null
    ? stableEventId(request.id, status)
    : stableEventId(request.id, status, String(request.sendAt));
}

/** Held by the delay engine until `until`, then routed again from its priority topic. */
export function deferredRecords(
  deps: OutputDeps,
  record: InboundRecord,
  request: NotificationRequest,
  until: number,
  now: number,
  reason: 'send_at' | 'quiet_hours',
): { records: OutboundRecord[]; tier: string } {
  const { record: delayed, tier } = delayedRecord(
    deps.topics,
    deps.tiers,
    { key: copyKey(record), value: record.value, headers: headersToRecord(record.headers) },
    deps.topics.priority(request.priority),
    until,
    now,
  );
  return {
    tier: tier.name,
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
          reason,
          detail: { ...summaryOf(request), until: new Date(until).toISOString() },
        }),
      },
    ],
  };
}

/**
 * Channels deferred over a frequency cap: a copy of the request for those channels alone, due when
 * the cap has room (`sendAt`), through the delay engine; one copy per due time.
 */
export async function cappedCopies(
  deps: OutputDeps,
  record: InboundRecord,
  request: NotificationRequest,
  decisions: ChannelDecision[],
  now: number,
): Promise<{ records: OutboundRecord[]; tiers: string[] }> {
  const byTime = new Map<number, ChannelDecision['channel'][]>();
  for (const d of decisions) {
    if (d.kind === 'deferred') byTime.set(d.until, [...(byTime.get(d.until) ?? []), d.channel]);
  }
  const out = { records: [] as OutboundRecord[], tiers: [] as string[] };
  const target = deps.topics.priority(request.priority);
  for (const [until, channels] of byTime) {
    const copy: NotificationRequest = { ...request, channels, sendAt: until };
    const { record: delayed, tier } = delayedRecord(
      deps.topics,
      deps.tiers,
      {
        key: copyKey(record),
        value: await deps.codec.encode(target, copy),
        headers: headersToRecord(record.headers),
      },
      target,
      until,
      now,
    );
    out.records.push(delayed);
    out.tiers.push(tier.name);
  }
  return out;
}

/** One rendered ChannelMessage per delivering channel and address, to its channel topic. */
export async function channelMessages(
  deps: OutputDeps,
  request: NotificationRequest,
  data: Record<string, unknown>,
  locale: string,
  decisions: ChannelDecision[],
  /** No one-click unsubscribe: a required category, or a recipient Herald does not store. */
  noUnsubscribe: boolean,
): Promise<OutboundRecord[]> {
  const out: OutboundRecord[] = [];
  const templateId = request.templateId ?? 'generic';
  for (const decision of decisions) {
    if (decision.kind !== 'deliver') continue;
    const template = await deps.templates.find(templateId, decision.channel, locale);
    if (!template) {
      throw new HeraldError(
        'invalid_template',
        `no template ${templateId} for ${decision.channel} in ${localeChain(locale).join(', ')}`,
      );
    }
    const { data: extra, ...content } = renderTemplate(template, data);
    for (const address of decision.addresses) {
      const message: ChannelMessage = {
        notificationId: request.id,
        userId: request.userId,
        category: request.category,
        channel: decision.channel,
        priority: request.priority,
        address,
        ...content,
        // The template's push data, then Herald's own entries, which tie the message back to it.
        data: JSON.stringify({ ...extra, notificationId: request.id, category: request.category }),
        locale,
        createdAt: request.createdAt,
        dueAt: request.sendAt,
        expiresAt: request.expiresAt,
        // Emails of a category the user may leave carry a one-click unsubscribe (RFC 8058).
        unsubscribable: decision.channel === 'EMAIL' && !noUnsubscribe,
        ...(decision.channel === 'PUSH'
          ? { ttlSeconds: request.pushTtlSeconds ?? null, collapseKey: request.pushCollapseKey ?? null }
          : {}),
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

/** The one event that lists every channel's decision, with its reason (or ends the request). */
export function routedEvent(
  deps: Pick<OutputDeps, 'topics'>,
  request: NotificationRequest,
  decisions: ChannelDecision[],
  now: number,
  status: 'ROUTED' | 'EXPIRED',
  extra: { reason?: string; rules?: string[] } = {},
): OutboundRecord {
  const detail = {
    ...summaryOf(request),
    ...(extra.rules && extra.rules.length > 0 ? { rules: extra.rules } : {}),
    decisions: decisions.map((d) => {
      switch (d.kind) {
        case 'deliver':
          return { channel: d.channel, decision: 'deliver', addresses: d.addresses.length };
        case 'suppressed':
          return { channel: d.channel, decision: 'suppressed', reason: d.reason };
        case 'deferred':
          return {
            channel: d.channel,
            decision: 'deferred',
            reason: d.reason,
            until: new Date(d.until).toISOString(),
          };
      }
    }),
  };
  return {
    topic: deps.topics.status,
    key: request.id,
    value: statusEvent({
      eventId: routingEventId(request, status),
      notificationId: request.id,
      status,
      service: SERVICE,
      at: now,
      ...(extra.reason ? { reason: extra.reason } : {}),
      detail,
    }),
  };
}
