import type { Counter, Histogram } from 'prom-client';
import { classifyError } from '../errors';
import type { Logger } from '../logger';
import type { ChannelMessage } from '../domain/types';
import type { ChannelSender } from '../domain/sender';
import { deliveryKey } from '../domain/delivery-key';
import type { Codec } from '../kafka/codec';
import type { RecordHandler } from '../kafka/consumer';
import { dlqRecord, withDeadLetters } from '../kafka/dead-letter';
import { stableEventId, statusEvent } from '../kafka/publisher';
import type { OutboundRecord, Publisher } from '../kafka/publisher';
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
 * The dispatcher's per-record flow: decode → already sent? → expired? → send → record the
 * delivery key and a `sent` event. A failed send goes to notify.dlq with its failure headers and a
 * `failed` event; anything else that fails goes to notify.dlq too, and the partition moves on.
 */
export function createDispatchHandler(deps: DispatchDeps): RecordHandler {
  const { sender, publisher, log, metrics } = deps;

  const dispatch: RecordHandler = async (record) => {
    const message = (await deps.codec.decode(record.value)) as ChannelMessage;
    const labels = { channel: message.channel, provider: sender.provider };
    const logCtx = { notificationId: message.notificationId, channel: message.channel };
    const key = deliveryKey(message);

    // Checked before expiry: a message sent before its redelivery stays `sent`.
    const previous = await deps.deliveryKeys.sentAs(key);
    if (previous !== null) {
      // Sent before, maybe without its event: emit it again (same event id, projected once).
      metrics.attempts.inc({ ...labels, outcome: 'duplicate' });
      log.info(logCtx, 'already sent, skipping redelivered message');
      await publisher.publish([statusRecord(deps, message, key, 'SENT', { providerMessageId: previous })]);
      return;
    }

    if (message.expiresAt !== null && message.expiresAt <= deps.clock()) {
      metrics.attempts.inc({ ...labels, outcome: 'expired' });
      await publisher.publish([
        statusRecord(deps, message, key, 'EXPIRED', { reason: 'expired_before_send' }),
      ]);
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
      const dlq = dlqRecord(deps.topics, record, err, deps.clock());
      const attempt = dlq.headers?.attempt ?? '1';
      await publisher.publish([
        dlq,
        statusRecord(deps, message, key, 'FAILED', {
          reason: err.code,
          attempt,
          errorClass: dlq.headers?.['error-class'],
        }),
      ]);
      return;
    }
    stopTimer();
    metrics.attempts.inc({ ...labels, outcome: 'sent' });
    metrics.endToEnd.observe(
      { channel: message.channel, priority: message.priority },
      Math.max(0, (deps.clock() - message.createdAt) / 1000),
    );
    try {
      await deps.deliveryKeys.markSent(key, providerMessageId);
    } catch (err) {
      // The provider has it: a lost key only weakens duplicate protection, a retry would send twice.
      log.error({ ...logCtx, err: classifyError(err).message }, 'could not record the delivery key');
    }
    await publisher.publish([statusRecord(deps, message, key, 'SENT', { providerMessageId })]);
    log.info({ ...logCtx, providerMessageId }, 'sent');
  };

  return withDeadLetters(dispatch, deps);
}

/** Event ids derive from the delivery key (and attempt), so a redelivery re-emits the same event. */
function statusRecord(
  deps: Pick<DispatchDeps, 'service' | 'topics' | 'clock'>,
  m: ChannelMessage,
  key: string,
  status: 'SENT' | 'EXPIRED' | 'FAILED',
  extra: { providerMessageId?: string; reason?: string; attempt?: string; errorClass?: string | undefined },
): OutboundRecord {
  return {
    topic: deps.topics.status,
    key: m.notificationId,
    value: statusEvent({
      eventId: stableEventId(key, status, extra.attempt ?? ''),
      notificationId: m.notificationId,
      status,
      channel: m.channel,
      service: deps.service,
      at: deps.clock(),
      providerMessageId: extra.providerMessageId ?? null,
      reason: extra.reason ?? null,
      ...(extra.attempt ? { detail: { attempt: Number(extra.attempt), errorClass: extra.errorClass } } : {}),
    }),
  };
}
