import { HeraldError, classifyError, dlqRecord, yieldTurn } from '@herald/shared';
import type { Codec, Counter, InboundRecord, Logger, Outcome, RecordProcessor } from '@herald/shared';
import type { Channel } from '@herald/shared/domain';
import type { CapPolicies, CapRule } from './domain/caps';
import { NO_CONSENT_LIMITS, suppressionKey } from './domain/consent';
import type { Consent } from './domain/consent';
import { addressesOn, recipientFor } from './domain/decide';
import type { ChannelDecision, Recipient, StoredUser } from './domain/decide';
import { timingOf, validateRequest } from './domain/request';
import { plan, settle } from './domain/route';
import type { Plan, RoutableRequest } from './domain/route';
import type { PriorityDefaults } from './domain/rules';
import type { Catalog } from './adapters/catalog';
import type { Gate, GateVerdict } from './adapters/gate';
import type { SuppressionList } from './adapters/suppressions';
import type { UserDirectory } from './adapters/users';
import { cappedCopies, channelMessages, deferredRecords, routedEvent } from './outputs';
import type { OutputDeps } from './outputs';

export interface RouterDeps extends OutputDeps {
  users: UserDirectory;
  suppressions: SuppressionList;
  catalog: Catalog;
  gate: Gate;
  policy: {
    defaults: PriorityDefaults;
    caps: readonly CapRule[];
    capPolicies: CapPolicies;
    dedupWindowMs: number;
  };
  clock: () => number;
  log: Logger;
  metrics: { decisions: Counter<'outcome' | 'channel'>; scheduled: Counter<'tier' | 'kind'> };
}

type Checked = { request: RoutableRequest; data: Record<string, unknown> };

/** A request decided up to its output records: what the batch's reads and the gate said of it. */
type Decided =
  | { kind: 'expired'; checked: Checked }
  | { kind: 'later'; at: number; checked: Checked }
  | { kind: 'now'; checked: Checked; recipient: Recipient; planned: Plan; gate: GateVerdict };

/** A fetched batch, each record decoded and decided (or why not). */
type Prepared = Map<InboundRecord, Decided | HeraldError>;

async function check(codec: Codec, record: InboundRecord): Promise<Checked> {
  const checked = validateRequest(await codec.decode(record.value));
  if (!checked.ok) throw new HeraldError('invalid_request', checked.reason);
  return { request: checked.request, data: checked.data };
}

function consentOf(user: StoredUser | null, recipient: Recipient, suppressed: Set<string>): Consent {
  if (!user && suppressed.size === 0) return NO_CONSENT_LIMITS;
  const mine = new Set<string>();
  for (const channel of ['EMAIL', 'SMS', 'PUSH'] as const)
    for (const a of addressesOn(channel, recipient))
      if (suppressed.has(suppressionKey(channel, a))) mine.add(suppressionKey(channel, a));
  return {
    optOuts: new Set(user?.policy.optOuts ?? []),
    unsubscribed: user?.policy.unsubscribed ?? false,
    suppressed: mine,
  };
}

/**
 * Decides a batch with one read of each kind: its users (with their preferences and quiet hours),
 * the suppressed addresses among theirs, the catalogue (cached), then one Redis round trip for
 * every dedup claim and cap (the gate), in offset order: a user's requests count in order.
 */
async function decideBatch(deps: RouterDeps, records: readonly InboundRecord[]): Promise<Prepared> {
  const prepared: Prepared = new Map();
  const now = deps.clock();
  const routable: { record: InboundRecord; checked: Checked }[] = [];
  for (const record of records) {
    await yieldTurn(record.lane);
    try {
      const checked = await check(deps.codec, record);
      const timing = timingOf(checked.request, now);
      if (timing.kind === 'now') routable.push({ record, checked });
      else
        prepared.set(
          record,
          timing.kind === 'later' ? { kind: 'later', at: timing.at, checked } : { kind: 'expired', checked },
        );
    } catch (e) {
      const err = classifyError(e);
      if (err.disposition === 'wait') throw err;
      prepared.set(record, err);
    }
  }
  if (routable.length === 0) return prepared;

  const [users, catalog] = await Promise.all([
    deps.users.findMany([...new Set(routable.map((r) => r.checked.request.userId))]),
    deps.catalog.read(),
  ]);
  const recipients = routable.map(({ checked }) =>
    recipientFor(checked.request, users.get(checked.request.userId) ?? null),
  );
  const addresses: { channel: Channel; address: string }[] = [];
  for (const r of recipients)
    for (const channel of ['EMAIL', 'SMS', 'PUSH'] as const)
      for (const address of addressesOn(channel, r)) addresses.push({ channel, address });
  const suppressed = await deps.suppressions.findMany(addresses);

  const policy = { ...deps.policy, ...catalog };
  const plans = routable.map(({ checked }, i) => {
    const user = users.get(checked.request.userId) ?? null;
    const recipient = recipients[i] as Recipient;
    return plan(
      checked.request,
      checked.data,
      recipient,
      user,
      consentOf(user, recipient, suppressed),
      policy,
      now,
    );
  });
  const verdicts = await deps.gate.pass(
    routable.map(({ checked }, i) => ({
      ...(plans[i] as Plan).ask,
      notificationId: checked.request.id,
      userId: checked.request.userId,
      now,
    })),
  );
  routable.forEach(({ record, checked }, i) => {
    prepared.set(record, {
      kind: 'now',
      checked,
      recipient: recipients[i] as Recipient,
      planned: plans[i] as Plan,
      gate: verdicts[i] as GateVerdict,
    });
  });
  return prepared;
}

/**
 * The router's decisions (issue 9, in order): decode and validate (else parked with the reason),
 * expired?, due? (a later `sendAt` waits in the delay engine), dedup, channels (the request's, the
 * rules', or the priority's default), consent, quiet hours (deferred to their end through the
 * delay engine), frequency caps (suppressed or deferred, by priority), render, and one
 * ChannelMessage per channel and address, with one `routed` event listing every channel's decision.
 * The batch's reads and the gate are done in `prepare`; `handle` only builds the outputs.
 */
export function createRouterProcessor(deps: RouterDeps): RecordProcessor<Prepared> {
  return {
    prepare: (records) => decideBatch(deps, records),

    async handle(record, prepared): Promise<Outcome> {
      // Alone when the batch's preparation failed: the same decisions, for this record only.
      const decided = prepared?.get(record) ?? (await decideBatch(deps, [record])).get(record);
      if (!decided) throw new HeraldError('unknown', 'a record of the batch was not decided');
      if (decided instanceof HeraldError) throw decided;
      const { request, data } = decided.checked;
      const now = deps.clock();
      if (decided.kind === 'expired') return { records: [routedEvent(deps, request, [], now, 'EXPIRED')] };
      if (decided.kind === 'later') {
        const { records, tier } = deferredRecords(deps, record, request, decided.at, now, 'send_at');
        return { records, done: () => deps.metrics.scheduled.inc({ tier, kind: 'deferred' }) };
      }

      const routing = settle(request, decided.planned, decided.gate, deps.policy.capPolicies);
      if (routing.kind === 'expired')
        return { records: [routedEvent(deps, request, [], now, 'EXPIRED', { reason: 'quiet_hours' })] };
      if (routing.kind === 'quiet') {
        const { records, tier } = deferredRecords(deps, record, request, routing.until, now, 'quiet_hours');
        return { records, done: () => deps.metrics.scheduled.inc({ tier, kind: 'deferred' }) };
      }
      const { decisions } = routing;
      const messages = await channelMessages(
        deps,
        request,
        data,
        decided.recipient.locale,
        decisions,
        // A recipient Herald does not store has no preferences to opt out of: no unsubscribe link.
        decided.planned.categoryRequired || !decided.recipient.known,
      );
      const copies = await cappedCopies(deps, record, request, decisions, now);
      return {
        records: [
          ...messages,
          ...copies.records,
          routedEvent(deps, request, decisions, now, 'ROUTED', { rules: decided.planned.matchedRules }),
        ],
        done: () => done(deps, request.id, decisions, copies.tiers),
      };
    },

    onFailure: (record, err) => [dlqRecord(deps.topics, record, err, deps.clock())],
  };
}

function done(deps: RouterDeps, notificationId: string, decisions: ChannelDecision[], tiers: string[]) {
  for (const d of decisions) {
    deps.metrics.decisions.inc({
      channel: d.channel,
      outcome: d.kind === 'deliver' ? 'deliver' : d.kind === 'deferred' ? 'deferred' : d.reason,
    });
  }
  for (const tier of tiers) deps.metrics.scheduled.inc({ tier, kind: 'deferred' });
  deps.log.info(
    {
      notificationId,
      decisions: decisions.map((d) => `${d.channel}:${d.kind === 'deliver' ? 'deliver' : d.reason}`),
    },
    'routed',
  );
}
