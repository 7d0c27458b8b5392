import type { Counter, Histogram } from 'prom-client';
import { HeraldError, classifyError, isAddressFault, isProviderFault } from '../errors';
import type { Logger } from '../logger';
import type { LabelledCounter } from '../metrics';
import type { ChannelMessage } from '../domain/types';
import { deliveryKey } from '../domain/delivery-key';
import type { Tier } from '../domain/delay';
import type { Codec } from '../kafka/codec';
import type { InboundRecord, Outcome, RecordProcessor } from '../kafka/consumer';
import { copyKey, dlqRecord } from '../kafka/dead-letter';
import { delayedRecord } from '../kafka/delay';
import { H, headerString, headersToRecord } from '../kafka/headers';
import { yieldTurn } from '../kafka/engine/turns';
import { stableEventId, statusEvent } from '../kafka/publisher';
import type { OutboundRecord } from '../kafka/publisher';
import type { TopicNames } from '../kafka/topics';
import type { DeliveryKeyStore } from './delivery-keys';
import { chooseProvider, reportToBreaker } from './providers';
import type { GuardedProvider } from './providers';
import type { SuppressionWriter } from './suppressions';

export interface DispatchDeps {
  service: string;
  /** The primary first; a secondary after it is used while the primary's circuit is open (failover). */
  providers: readonly GuardedProvider[];
  codec: Codec;
  topics: TopicNames;
  /** The delay engine's tiers: a message no provider may take now waits there. */
  tiers: readonly Tier[];
  deliveryKeys: DeliveryKeyStore;
  suppressions: SuppressionWriter;
  clock: () => number;
  /** Spreads the return of deferred messages over this many ms, so they do not come back at once. */
  deferSpreadMs: number;
  random: () => number;
  log: Logger;
  metrics: {
    attempts: Counter<'channel' | 'provider' | 'outcome'>;
    duration: Histogram<'channel' | 'provider'>;
    endToEnd: Histogram<'channel' | 'priority'>;
    deferred: Counter<'channel' | 'reason'>;
    suppressed: Counter<'channel' | 'source'>;
    providerErrors: LabelledCounter<'provider' | 'code' | 'class'>;
    unrecorded: Histogram<'channel'>;
  };
}

/** A deferred message comes back no sooner than this (doubling each time): never a loop through the delay engine. */
const MIN_DEFER_MS = 1000;
const MAX_DEFER_MS = 60_000;
/** A send that waited this long for rate-limit tokens renews its delivery claim before sending. */
const RENEW_AFTER_WAIT_MS = 1000;

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
 * else sending?) → expired? → a provider whose circuit lets it send (else the delay engine, unsent
 * and with no attempt counted) → a token of the provider's shared rate limit (waiting for it holds
 * the record's slot: consumption slows to the limit) → send → a `sent` event, the key recorded.
 * A failed send becomes a copy to notify.dlq with its failure headers and a `failed` event; the
 * claim is given back so the retry can take it. When the provider says the address cannot receive,
 * it is suppressed first. The engine produces the records and resolves the offset.
 */
export function createDispatchProcessor(deps: DispatchDeps): RecordProcessor {
  const { log, metrics } = deps;

  return {
    onFailure: (record, err) => [dlqRecord(deps.topics, record, err, deps.clock())],

    async handle(record): Promise<Outcome> {
      const message = (await deps.codec.decode(record.value)) as ChannelMessage;
      const logCtx = { notificationId: message.notificationId, channel: message.channel };
      const key = deliveryKey(message);

      // Claimed before the expiry check: a message sent before its redelivery stays `sent`.
      const claim = await deps.deliveryKeys.claim(key);
      if (claim.kind === 'held') {
        throw new HeraldError('delivery_in_progress', 'another dispatcher holds this delivery');
      }
      const primary = deps.providers[0]?.sender.provider ?? 'none';
      if (claim.kind === 'sent') {
        // Sent before, maybe without its event: emit it again (same event id, projected once).
        return {
          records: [statusRecord(deps, message, key, 'SENT', { providerMessageId: claim.providerMessageId })],
          done: () => {
            metrics.attempts.inc({ channel: message.channel, provider: primary, outcome: 'duplicate' });
            log.info(logCtx, 'already sent, skipping redelivered message');
          },
        };
      }

      if (message.expiresAt !== null && message.expiresAt <= deps.clock()) {
        await releaseQuietly(deps, key, claim.token);
        return {
          records: [statusRecord(deps, message, key, 'EXPIRED', { reason: 'expired_before_send' })],
          done: () =>
            metrics.attempts.inc({ channel: message.channel, provider: primary, outcome: 'expired' }),
        };
      }

      // The chosen provider's circuit, then a token of its rate limit. A send that waited for its
      // token while the circuit opened is not sent to a provider that is down: it chooses again
      // (the secondary, or the delay engine).
      let choice = chooseProvider(deps.providers, deps.clock());
      let waitedMs = 0;
      for (let again = false; ; again = true) {
        if ('retryAt' in choice) {
          await releaseQuietly(deps, key, claim.token);
          return deferred(deps, record, message, key, choice.retryAt);
        }
        const from = deps.clock();
        try {
          await choice.provider.limiter?.acquire(record.lane ?? 0);
        } catch (e) {
          // The shared limit cannot be read (Redis): wait in place, as for any dependency outage.
          choice.provider.breaker.release(choice.trial, choice.round);
          await releaseQuietly(deps, key, claim.token);
          throw e;
        }
        waitedMs += deps.clock() - from;
        if (again || choice.trial || choice.provider.breaker.state(deps.clock()) === 'closed') break;
        choice = chooseProvider(deps.providers, deps.clock());
      }
      // A long wait for tokens may have outlived the claim's lease (another owner after a
      // rebalance could then send too): renewed only while still ours, else wait for its outcome.
      if (waitedMs >= RENEW_AFTER_WAIT_MS && !(await deps.deliveryKeys.renew(key, claim.token))) {
        choice.provider.breaker.release(choice.trial, choice.round);
        throw new HeraldError(
          'delivery_in_progress',
          'the delivery claim ran out while waiting for the rate limit',
        );
      }
      const { sender } = choice.provider;
      const labels = { channel: message.channel, provider: sender.provider };
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
        reportToBreaker(choice, deps.clock(), err);
        await releaseQuietly(deps, key, claim.token);
        // Only the provider's word suppresses an address: a check of our own may be wrong.
        if (isAddressFault(err) && err.providerCode !== undefined) await suppress(deps, message, err);
        return failedSend(deps, record, message, key, err, sender.provider);
      }
      stopTimer();
      const answeredAt = deps.clock();
      reportToBreaker(choice, answeredAt, null);
      try {
        await deps.deliveryKeys.markSent(key, providerMessageId);
        metrics.unrecorded.observe({ channel: message.channel }, (deps.clock() - answeredAt) / 1000);
      } catch (err) {
        // The provider has it: a lost key only weakens duplicate protection, a retry would send twice.
        log.error({ ...logCtx, err: classifyError(err).message }, 'could not record the delivery key');
      }
      return {
        records: [statusRecord(deps, message, key, 'SENT', { providerMessageId, provider: sender.provider })],
        done: () => {
          metrics.attempts.inc({ ...labels, outcome: 'sent' });
          metrics.endToEnd.observe(
            { channel: message.channel, priority: message.priority },
            Math.max(0, (deps.clock() - Math.max(message.createdAt, message.dueAt ?? 0)) / 1000),
          );
          log.info({ ...logCtx, providerMessageId, provider: sender.provider }, 'sent');
        },
      };
    },
  };
}

/**
 * No provider may take a send now (every circuit open): the message goes to the delay engine,
 * back to its own topic when a circuit may let it through, spread a little so they do not all
 * return at once. Its headers go with it unchanged: it was not attempted, so no attempt is counted.
 */
function deferred(
  deps: DispatchDeps,
  record: InboundRecord,
  message: ChannelMessage,
  key: string,
  retryAt: number,
): Outcome {
  const now = deps.clock();
  const times = Number(headerString(record.headers, H.circuitDeferrals) ?? '0') || 0;
  // The first comes back when the circuit may let it through; one deferred again waits longer.
  const floor = Math.min(MAX_DEFER_MS, MIN_DEFER_MS * 2 ** Math.min(times, 10));
  const dueAt = Math.ceil(Math.max(retryAt, now + floor) + deps.random() * deps.deferSpreadMs);
  const held = delayedRecord(
    deps.topics,
    deps.tiers,
    {
      key: copyKey(record),
      value: record.value,
      headers: { ...headersToRecord(record.headers), [H.circuitDeferrals]: String(times + 1) },
    },
    record.topic,
    dueAt,
    now,
  );
  return {
    // The timeline says it once; a message deferred again while the outage lasts adds no event.
    records: [
      held.record,
      ...(times === 0
        ? [statusRecord(deps, message, key, 'DEFERRED', { reason: 'circuit_open', until: dueAt })]
        : []),
    ],
    done: () => {
      deps.metrics.deferred.inc({ channel: message.channel, reason: 'circuit_open' });
      deps.log.info(
        {
          notificationId: message.notificationId,
          channel: message.channel,
          dueAt: new Date(dueAt).toISOString(),
          deferrals: times + 1,
        },
        'circuit open: deferred',
      );
    },
  };
}

/** The provider says this address cannot receive: the router will not route to it again. */
async function suppress(deps: DispatchDeps, message: ChannelMessage, err: HeraldError): Promise<void> {
  await deps.suppressions.suppress({
    channel: message.channel,
    address: message.address,
    userId: message.userId,
    reason: err.providerCode ?? err.code,
    source: deps.service,
  });
  deps.metrics.suppressed.inc({ channel: message.channel, source: deps.service });
}

function failedSend(
  deps: DispatchDeps,
  record: InboundRecord,
  message: ChannelMessage,
  key: string,
  err: HeraldError,
  provider: string,
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
        provider,
        providerCode: err.providerCode,
      }),
    ],
    done: () => {
      deps.metrics.attempts.inc({ channel: message.channel, provider, outcome });
      if (err.providerCode !== undefined) {
        deps.metrics.providerErrors.inc({
          provider,
          code: err.providerCode,
          class: err.disposition === 'park' ? 'permanent' : 'transient',
        });
      }
      deps.log.warn(
        {
          notificationId: message.notificationId,
          channel: message.channel,
          provider,
          code: err.code,
          providerCode: err.providerCode,
          outcome,
        },
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
  status: 'SENT' | 'EXPIRED' | 'FAILED' | 'DEFERRED',
  extra: {
    providerMessageId?: string;
    reason?: string;
    attempt?: string;
    errorClass?: string | undefined;
    provider?: string;
    providerCode?: string | undefined;
    until?: number;
  },
): OutboundRecord {
  return {
    topic: deps.topics.status,
    key: m.notificationId,
    value: statusEvent({
      eventId: stableEventId(
        key,
        status,
        extra.attempt ?? (extra.until !== undefined ? String(extra.until) : ''),
      ),
      notificationId: m.notificationId,
      status,
      channel: m.channel,
      service: deps.service,
      at: deps.clock(),
      providerMessageId: extra.providerMessageId ?? null,
      reason: extra.reason ?? null,
      detail: detailOf(extra),
    }),
  };
}

/** The event's detail: what a timeline shows (attempt, until) and which provider said what. */
function detailOf(extra: {
  attempt?: string;
  errorClass?: string | undefined;
  provider?: string;
  providerCode?: string | undefined;
  until?: number;
}): Record<string, unknown> | undefined {
  const detail: Record<string, unknown> = {
    ...(extra.attempt ? { attempt: Number(extra.attempt), errorClass: extra.errorClass } : {}),
    ...(extra.provider ? { provider: extra.provider } : {}),
    ...(extra.providerCode ? { providerCode: extra.providerCode } : {}),
    ...(extra.until !== undefined ? { until: new Date(extra.until).toISOString() } : {}),
  };
  return Object.keys(detail).length > 0 ? detail : undefined;
}
