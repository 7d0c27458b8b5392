import type { Counter, Histogram } from 'prom-client';
import { classifyError } from '../errors';
import type { HeraldError } from '../errors';
import type { Logger } from '../logger';
import type { ChannelMessage } from '../domain/types';
import type { ChannelSender } from '../domain/sender';
import { deliveryKey } from '../domain/delivery-key';
import { failureHeaders } from '../domain/failure';
import type { Codec } from '../kafka/codec';
import type { InboundRecord, RecordHandler } from '../kafka/consumer';
import { H, headerString } from '../kafka/headers';
import { stableEventId, statusEvent } from '../kafka/publisher';
import type { Publisher } from '../kafka/publisher';
import type { TopicNames } from '../kafka/topics';
import type { DeliveryKeyStore } from './delivery-keys';

export interface DispatchDeps {
  service: string;
  sender: ChannelSender;
  codec: Codec;
  publisher: Publisher;
  topics: TopicNames;
  deliveryKeys: DeliveryKeyStore;
  clock: () => number;
  log: Logger;
  metrics: {
    attempts: Counter<'channel' | 'provider' | 'outcome'>;
    duration: Histogram<'channel' | 'provider'>;
    endToEnd: Histogram<'channel' | 'priority'>;
  };
}

/**
 * The dispatcher's per-record flow: decode → expired? → already sent? → send → record the
 * delivery key and a `sent` event; a failure goes to notify.dlq with its failure headers and a
 * `failed` event, and the partition moves on.
 */
export function createDispatchHandler(deps: DispatchDeps): RecordHandler {
  const { sender, publisher, topics, log, metrics } = deps;

  const toDlq = async (record: InboundRecord, err: HeraldError, message: ChannelMessage | null) => {
    const headers = failureHeaders(err, {
      sourceTopic: record.topic,
      previous: {
        attempt: headerString(record.headers, H.attempt),
        firstFailedAt: headerString(record.headers, H.firstFailedAt),
        targetTopic: headerString(record.headers, H.targetTopic),
      },
      now: deps.clock(),
    });
    const events = message
      ? [
          {
            topic: topics.status,
            key: message.notificationId,
            value: statusEvent({
              notificationId: message.notificationId,
              status: 'FAILED',
              channel: message.channel,
              service: deps.service,
              at: deps.clock(),
              reason: err.code,
              detail: { attempt: Number(headers.attempt), errorClass: headers['error-class'] },
            }),
          },
        ]
      : [];
    await publisher.publish([
      { topic: topics.dlq, key: record.key?.toString() ?? null, value: record.value, headers },
      ...events,
    ]);
  };

  return async (record) => {
    let message: ChannelMessage;
    try {
      message = (await deps.codec.decode(record.value)) as ChannelMessage;
    } catch (e) {
      const err = classifyError(e);
      if (err.retriable) throw err;
      log.warn({ topic: record.topic, offset: record.offset, code: err.code }, 'undecodable channel message');
      await toDlq(record, err, null);
      return;
    }
    const labels = { channel: message.channel, provider: sender.provider };
    const logCtx = { notificationId: message.notificationId, channel: message.channel };

    if (message.expiresAt !== null && message.expiresAt <= deps.clock()) {
      metrics.attempts.inc({ ...labels, outcome: 'expired' });
      await publisher.publish([statusRecord(deps, message, 'EXPIRED', { reason: 'expired_before_send' })]);
      return;
    }

    const key = deliveryKey(message);
    const previous = await deps.deliveryKeys.sentAs(key);
    if (previous !== null) {
      // Sent before, maybe without its event: emit it again (same event id, projected once).
      metrics.attempts.inc({ ...labels, outcome: 'duplicate' });
      log.info(logCtx, 'already sent, skipping redelivered message');
      await publisher.publish([statusRecord(deps, message, 'SENT', { providerMessageId: previous, key })]);
      return;
    }

    const stopTimer = metrics.duration.startTimer(labels);
    let providerMessageId: string;
    try {
      ({ providerMessageId } = await sender.send(message));
    } catch (e) {
      stopTimer();
      const err = classifyError(e);
      metrics.attempts.inc({ ...labels, outcome: err.retriable ? 'transient_error' : 'permanent_error' });
      log.warn({ ...logCtx, code: err.code, retriable: err.retriable }, 'send failed');
      await toDlq(record, err, message);
      return;
    }
    stopTimer();
    metrics.attempts.inc({ ...labels, outcome: 'sent' });
    metrics.endToEnd.observe(
      { channel: message.channel, priority: message.priority },
      Math.max(0, (deps.clock() - message.createdAt) / 1000),
    );
    await deps.deliveryKeys.markSent(key, providerMessageId);
    await publisher.publish([statusRecord(deps, message, 'SENT', { providerMessageId, key })]);
    log.info({ ...logCtx, providerMessageId }, 'sent');
  };
}

function statusRecord(
  deps: Pick<DispatchDeps, 'service' | 'topics' | 'clock'>,
  m: ChannelMessage,
  status: 'SENT' | 'EXPIRED',
  extra: { providerMessageId?: string; reason?: string; key?: string },
) {
  return {
    topic: deps.topics.status,
    key: m.notificationId,
    value: statusEvent({
      notificationId: m.notificationId,
      status,
      channel: m.channel,
      service: deps.service,
      at: deps.clock(),
      providerMessageId: extra.providerMessageId ?? null,
      reason: extra.reason ?? null,
      ...(extra.key ? { eventId: stableEventId(extra.key, status) } : {}),
    }),
  };
}
