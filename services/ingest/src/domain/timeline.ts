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
}

export interface ChannelView {
  status: string;
  timeline: TimelineEntry[];
}

export interface NotificationView {
  status: string;
  timeline: TimelineEntry[];
  channels: Partial<Record<Lowercase<Channel>, ChannelView>>;
}

interface Decision {
  channel: Channel;
  decision: 'deliver' | 'suppressed';
  reason?: string;
}

function decisionsOf(detail: Record<string, unknown> | null): Decision[] {
  const raw = detail?.decisions;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (d): d is Decision => typeof d === 'object' && d !== null && typeof (d as Decision).channel === 'string',
  );
}

function entry(e: EventRow, status = e.status.toLowerCase(), reason = e.reason): TimelineEntry {
  return {
    status,
    at: e.at.toISOString(),
    ...(reason ? { reason } : {}),
    ...(e.providerMessageId ? { providerMessageId: e.providerMessageId } : {}),
  };
}

const lower = (c: Channel) => c.toLowerCase() as Lowercase<Channel>;

/**
 * The timeline a client sees: notification-wide steps (accepted, routed) and, per channel, those
 * steps followed by the channel's own (a routing decision to suppress becomes that channel's
 * `suppressed` step). A channel's status is its latest step.
 */
export function buildView(events: EventRow[]): NotificationView {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const wide: TimelineEntry[] = [];
  const channels: NotificationView['channels'] = {};
  const channelView = (c: Channel): ChannelView =>
    (channels[lower(c)] ??= { status: '', timeline: [...wide] });

  for (const e of sorted) {
    if (e.channel !== null) {
      channelView(e.channel).timeline.push(entry(e));
      continue;
    }
    wide.push(entry(e));
    for (const view of Object.values(channels)) view.timeline.push(entry(e));
    if (e.status === 'ROUTED') {
      for (const d of decisionsOf(e.detail)) {
        const view = channelView(d.channel);
        if (d.decision === 'suppressed') view.timeline.push(entry(e, 'suppressed', d.reason ?? null));
      }
    }
  }
  for (const view of Object.values(channels)) view.status = view.timeline.at(-1)?.status ?? 'unknown';
  return { status: wide.at(-1)?.status ?? 'unknown', timeline: wide, channels };
}
