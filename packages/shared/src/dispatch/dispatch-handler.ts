import type { Counter, Histogram } from 'prom-client';
import { HeraldError, classifyError, isProviderFault } from '../errors';
import type { Logger } from '../logger';
import type { ChannelMessage } from '../domain/types';
import type { ChannelSender } from '../domain/sender';
import { deliveryKey } from '../domain/delivery-key';
import type { Codec } from '../kafka/codec';
import type { InboundRecord, Outcome, RecordProcessor } from '../kafka/consumer';
import { dlqRecord } from '../kafka/dead-letter';
import { yieldTurn } from '../kafka/engine/turns';
import { stableEventId, statusEvent } from '../kafka/publisher';
import type { OutboundRecord } from '../kafka/publisher';
import type { TopicNames } from '../kafka/topics';
import type { DeliveryKeyStore } from './delivery-keys';

export interface DispatchDeps {
  service: string;
  sender: ChannelSender;
  codec: Codec;
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

/** How a failed send is counted: only what the provider answered may count against it. */
export function sendFailureOutcome(
  err: HeraldError,
): 'transient_error' | 'permanent_error' | 'internal_error' {
  if (isProviderFault(err)) return 'transient_error';
  if (err.disposition === 'park') return 'permanent_error';
  return 'internal_error';
}

/**
 * The dispatcher's decision for one record: decode → claim the delivery key (already sent? someone
 * else sending?) → expired? → send → a `sent` event, the key recorded. A failed send becomes a copy
 * to notify.dlq with its failure headers and a `failed` event; the claim is given back so the retry
 * can take it. The engine produces the records and resolves the offset.
 */
export function createDispatchProcessor(deps: DispatchDeps): RecordProcessor {
  const { sender, log, metrics } = deps;

  return {
    onFailure: (record, err) => [dlqRecord(deps.topics, record, err, deps.clock())],

    async handle(record): Promise<Outcome> {
      const message = (await deps.codec.decode(record.value)) as ChannelMessage;
      const labels = { channel: message.channel, provider: sender.provider };
      const logCtx = { notificationId: message.notificationId, channel: message.channel };
      const key = deliveryKey(message);

      // Claimed before the expiry check: a message sent before its redelivery stays `sent`.
      const claim = await deps.deliveryKeys.claim(key);
      if (claim.kind === 'held') {
        throw new HeraldError('delivery_in_progress', 'another dispatcher holds this delivery');
      }
      if (claim.kind === 'sent') {
        // Sent before, maybe without its event: emit it again (same event id, projected once).
        return {
          records: [statusRecord(deps, message, key, 'SENT', { providerMessageId: claim.providerMessageId })],
          done: () => {
            metrics.attempts.inc({ ...labels, outcome: 'duplicate' });
            log.info(logCtx, 'already sent, skipping redelivered message');
          },
        };
      }

      if (message.expiresAt !== null && message.expiresAt <= deps.clock()) {
        await releaseQuietly(deps, key, claim.token);
        return {
          records: [statusRecord(deps, message, key, 'EXPIRED', { reason: 'expired_before_send' })],
          done: () => metrics.attempts.inc({ ...labels, outcome: 'expired' }),
        };
      }

      // Claims answered by one Redis reply resume together: each send costs the SDK a millisecond
      // of CPU, so a few hundred of them in one turn would hold up every socket of the process.
      await yieldTurn(record.lane);
      const stopTimer = metrics.duration.startTimer(labels);
      let providerMessageId: string;
      try {
        ({ providerMessageId } = await sender.send(message));
      } catch (e) {
        stopTimer();
        const err = classifyError(e);
        await releaseQuietly(deps, key, claim.token);
        return failedSend(deps, record, message, key, err);
      }
      stopTimer();
      try {
        await deps.deliveryKeys.markSent(key, providerMessageId);
      } catch (err) {
        // The provider has it: a lost key only weakens duplicate protection, a retry would send twice.
        log.error({ ...logCtx, err: classifyError(err).message }, 'could not record the delivery key');
      }
      return {
        records: [statusRecord(deps, message, key, 'SENT', { providerMessageId })],
        done: () => {
          metrics.attempts.inc({ ...labels, outcome: 'sent' });
          metrics.endToEnd.observe(
            { channel: message.channel, priority: message.priority },
            Math.max(0, (deps.clock() - message.createdAt) / 1000),
          );
          log.info({ ...logCtx, providerMessageId }, 'sent');
        },
      };
    },
  };
}

function failedSend(
  deps: DispatchDeps,
  record: InboundRecord,
  message: ChannelMessage,
  key: string,
  err: HeraldError,
): Outcome {
  const outcome = sendFailureOutcome(err);
  const dlq = dlqRecord(deps.topics, record, err, deps.clock());
  const attempt = dlq.headers?.attempt ?? '1';
  return {
    records: [
      dlq,
      statusRecord(deps, message, key, 'FAILED', {
        reason: err.code,
        attempt,
        errorClass: dlq.headers?.['error-class'],
      }),
    ],
    done: () => {
      deps.metrics.attempts.inc({ channel: message.channel, provider: deps.sender.provider, outcome });
      deps.log.warn(
        { notificationId: message.notificationId, channel: message.channel, code: err.code, outcome },
        'send failed',
      );
    },
  };
}

/** A claim that cannot be given back runs out with its lease; the retry waits that long at most. */
async function releaseQuietly(deps: DispatchDeps, key: string, token: string): Promise<void> {
  try {
    await deps.deliveryKeys.release(key, token);
  } catch (err) {
    deps.log.warn({ err: classifyError(err).message }, 'could not release a delivery claim');
  }
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
