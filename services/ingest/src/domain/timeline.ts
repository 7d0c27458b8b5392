import type { Channel, Status } from '@herald/shared/domain';

/** One projected status event. */
export interface EventRow {
  status: Status;
  channel: Channel | null;
  at: Date;
  reason: string | null;
  providerMessageId: string | null;
  detail: Record<string, unknown> | null;
}

export interface TimelineEntry {
  status: string;
  at: string;
  reason?: string;
  providerMessageId?: string;
  /** `failed`, `retrying`, `parked`: which attempt (1 = the first send). */
  attempt?: number;
  /** `retrying`: the error of the attempt that failed. */
  error?: string;
  /** `retrying`: when the next attempt is due. */
  nextAttemptAt?: string;
  /** `deferred`: when the notification is to be routed (its `sendAt`), or the channel sent (circuit open). */
  until?: string;
  /** `replayed`, `discarded`: the API key that did it. */
  by?: string;
}

export interface ChannelView {
  /** The channel's highest-ranked step: a lower-case `Status`, or an unknown step's name. */
  status: string;
  timeline: TimelineEntry[];
}

/**
 * What a notification's top-level `status` can be (docs/api.md): before routing, while any channel
 * is in flight, and once every channel has ended, how they ended.
 */
export const OVERALL_STATUSES = [
  'accepted',
  'scheduled',
  'in_progress',
  'sent',
  'partially_sent',
  'suppressed',
  'expired',
  'parked',
  'undelivered',
] as const;
export type OverallStatus = (typeof OVERALL_STATUSES)[number];

export interface NotificationView {
  status: OverallStatus;
  timeline: TimelineEntry[];
  channels: Partial<Record<Lowercase<Channel>, ChannelView>>;
}

type Outcome = 'sent' | 'suppressed' | 'expired' | 'parked' | 'undelivered';

/**
 * The terminal states of DESIGN.md §2.1: nothing follows them (short of an operator's replay). A
 * dead letter an operator discarded stays parked, for good.
 */
function outcomeOf(status: string): Outcome | null {
  switch (status) {
    case 'sent':
    case 'suppressed':
    case 'expired':
    case 'parked':
      return status;
    case 'discarded':
      return 'parked';
    // The provider's word on a message it accepted: delivered counts as sent.
    case 'delivered':
      return 'sent';
    case 'bounced':
    case 'undelivered':
      return 'undelivered';
    default:
      return null;
  }
}

const RANK_ACCEPTED = 0;
/** Held until its `sendAt`: after accepted, before it is routed. */
const RANK_DEFERRED = 0.5;
const RANK_ROUTED = 1;
const RANK_IN_FLIGHT = 2;
const RANK_TERMINAL = 3;
const RANK_SENT = 4;
/** The provider's delivery callback: what became of a message after it accepted it. */
const RANK_DELIVERY = 5;
const DELIVERY_STEPS: ReadonlySet<string> = new Set(['delivered', 'bounced', 'undelivered']);

/**
 * Causal rank of a step. Hosts' clocks disagree (ingest, router, dispatchers and dlq each stamp
 * their own events), so timestamps only order steps of equal rank: a `sent` stamped before its
 * `routed` still comes after it. Any step that is neither accepted, routed nor terminal (`failed`,
 * awaiting retry, or a status this code does not know yet) is in flight. `sent` outranks the
 * other terminal steps: a provider that accepted the message cannot take it back, so a parked
 * message replayed and sent shows `sent` even when the dlq's clock is ahead of the dispatcher's.
 */
export function rankOf(status: string): number {
  if (status === 'accepted') return RANK_ACCEPTED;
  if (status === 'deferred') return RANK_DEFERRED;
  if (status === 'routed') return RANK_ROUTED;
  if (status === 'sent') return RANK_SENT;
  if (DELIVERY_STEPS.has(status)) return RANK_DELIVERY;
  return outcomeOf(status) === null ? RANK_IN_FLIGHT : RANK_TERMINAL;
}

interface Step {
  entry: TimelineEntry;
  rank: number;
  at: number;
  /** Position in the input, so equal rank and time keep the order the projection read them in. */
  seq: number;
}

interface Decision {
  channel: Channel;
  decision: string;
  reason?: string;
  /** `deferred` (over a frequency cap): when the channel is routed again. */
  until?: string;
}

function decisionsOf(detail: Record<string, unknown> | null): Decision[] {
  const raw = detail?.decisions;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (d): d is Decision => typeof d === 'object' && d !== null && typeof (d as Decision).channel === 'string',
  );
}

/** Projected rows are unique per event id; a row repeated verbatim says nothing new. */
function distinct(events: EventRow[]): EventRow[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const key = JSON.stringify([
      e.status,
      e.channel,
      e.at.getTime(),
      e.reason,
      e.providerMessageId,
      e.detail,
    ]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** What a step's detail says that a client needs: the attempt, its error and the next due time. */
function details(status: string, d: Record<string, unknown> | null): Partial<TimelineEntry> {
  if (!d) return {};
  const out: Partial<TimelineEntry> = {};
  const attempt = num(d.attempt) ?? num(d.attempts);
  if (attempt !== undefined && ['failed', 'retrying', 'parked', 'expired'].includes(status))
    out.attempt = attempt;
  const error = str(d.error);
  if (error && status === 'retrying') out.error = error;
  const next = str(d.nextAttemptAt);
  if (next && status === 'retrying') out.nextAttemptAt = next;
  const until = str(d.until);
  if (until && status === 'deferred') out.until = until;
  const by = str(d.by);
  if (by && (status === 'replayed' || status === 'discarded')) out.by = by;
  return out;
}

function step(e: EventRow, seq: number, status: string, reason = e.reason): Step {
  const entry: TimelineEntry = {
    status,
    at: e.at.toISOString(),
    ...(reason ? { reason } : {}),
    ...(e.providerMessageId ? { providerMessageId: e.providerMessageId } : {}),
    ...details(status, e.detail),
  };
  return { entry, rank: rankOf(status), at: e.at.getTime(), seq };
}

function causal(steps: Step[]): Step[] {
  return [...steps].sort((a, b) => a.rank - b.rank || a.at - b.at || a.seq - b.seq);
}

/**
 * A channel's steps in causal order, round by round: an operator's replay of its dead letter opens
 * a new round, with the steps stamped from the replay on (the dlq stamps both the park and the
 * replay, so their order is its clock's). Each round is in causal order; the channel's status is
 * the last step of the last round, so a replayed channel is in flight again until it ends anew.
 */
function rounds(steps: Step[]): Step[] {
  const replays = steps
    .filter((s) => s.entry.status === 'replayed')
    .sort((a, b) => a.at - b.at || a.seq - b.seq);
  if (replays.length === 0) return causal(steps);
  const others = steps.filter((s) => s.entry.status !== 'replayed');
  const out: Step[] = [];
  let from = Number.NEGATIVE_INFINITY;
  for (const replay of replays) {
    out.push(...causal(others.filter((s) => s.at >= from && s.at < replay.at)), replay);
    from = replay.at;
  }
  out.push(...causal(others.filter((s) => s.at >= from)));
  return out;
}

/** The column is text: a status from a newer service, or none, must not break the view. */
function statusOf(e: EventRow): string {
  const raw: unknown = e.status;
  return typeof raw === 'string' && raw !== '' ? raw.toLowerCase() : 'unknown';
}
const lower = (c: Channel) => String(c).toLowerCase() as Lowercase<Channel>;

/**
 * The top-level status. With no channel, the notification ended (or not) on its own: parked or
 * expired before routing, or routed to no channel. With channels, it is in progress until routing
 * is seen and every channel has ended; then `sent` if all were sent, `partially_sent` if some were,
 * and otherwise the most telling way they ended: parked, then undelivered (bounced), then expired, then suppressed.
 */
function summarise(wide: Step[], channelStatuses: string[], routed: boolean): OverallStatus {
  if (channelStatuses.length === 0) {
    const ended = wide.map((s) => outcomeOf(s.entry.status)).filter((o) => o !== null);
    const deferred = wide.some((s) => s.entry.status === 'deferred');
    return ended.at(-1) ?? (routed ? 'suppressed' : deferred ? 'scheduled' : 'accepted');
  }
  const outcomes = channelStatuses.map(outcomeOf);
  if (!routed || outcomes.includes(null)) return 'in_progress';
  const sent = outcomes.filter((o) => o === 'sent').length;
  if (sent === outcomes.length) return 'sent';
  if (sent > 0) return 'partially_sent';
  if (outcomes.includes('parked')) return 'parked';
  if (outcomes.includes('undelivered')) return 'undelivered';
  if (outcomes.includes('expired')) return 'expired';
  return 'suppressed';
}

/**
 * The timeline a client sees: notification-wide steps and, per channel, the wide `accepted` and
 * `routed` steps followed by the channel's own (a routing decision to suppress becomes that
 * channel's `suppressed` step). Every timeline is in causal order (`rankOf`, then time); a
 * channel's status is its last step, i.e. its highest-ranked one, the latest among equals.
 */
export function buildView(events: EventRow[]): NotificationView {
  const wide: Step[] = [];
  const own = new Map<Lowercase<Channel>, Step[]>();
  const stepsOf = (c: Channel): Step[] => {
    const key = lower(c);
    let steps = own.get(key);
    if (!steps) own.set(key, (steps = []));
    return steps;
  };
  let routed = false;

  distinct(events).forEach((e, seq) => {
    const status = statusOf(e);
    if (e.channel !== null) {
      const own = step(e, seq, status);
      // A channel held back after routing (its provider's circuit open): in flight, not before routing.
      stepsOf(e.channel).push(status === 'deferred' ? { ...own, rank: RANK_IN_FLIGHT } : own);
      return;
    }
    wide.push(step(e, seq, status));
    if (status !== 'routed') return;
    routed = true;
    for (const d of decisionsOf(e.detail)) {
      const steps = stepsOf(d.channel);
      if (d.decision === 'suppressed') steps.push(step(e, seq, 'suppressed', d.reason ?? null));
      // Held back after routing (a frequency cap): in flight, after the routing that decided it.
      if (d.decision === 'deferred') {
        const held = step(e, seq, 'deferred', d.reason ?? null);
        const until = typeof d.until === 'string' ? { until: d.until } : {};
        steps.push({ ...held, entry: { ...held.entry, ...until }, rank: RANK_IN_FLIGHT });
      }
    }
  });

  // A notification-level outcome ended the request instead of routing it: it is not a channel step.
  const lead = wide.filter((s) => s.rank <= RANK_ROUTED);
  const channels: NotificationView['channels'] = {};
  for (const [key, steps] of own) {
    const timeline = rounds([...lead, ...steps]).map((s) => s.entry);
    // A provider that accepted the message cannot take it back, whatever the clocks say; only its
    // delivery callback (delivered, bounced, undelivered) says more.
    const sent = timeline.some((e) => e.status === 'sent');
    const last = timeline.at(-1)?.status ?? 'routed';
    channels[key] = { status: DELIVERY_STEPS.has(last) || !sent ? last : 'sent', timeline };
  }
  const timeline = causal(wide);
  return {
    status: summarise(
      timeline,
      Object.values(channels).map((c) => c.status),
      routed,
    ),
    timeline: timeline.map((s) => s.entry),
    channels,
  };
}
