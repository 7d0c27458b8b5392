import { formatTable } from './table';

/** A step of a timeline (docs/api.md, GET /v1/notifications/:id): status and time, then details. */
export interface Step {
  status: string;
  at: string;
  [detail: string]: unknown;
}

export interface NotificationView {
  id: string;
  userId?: string;
  category?: string;
  priority?: string;
  createdAt?: string;
  status: string;
  timeline?: Step[];
  channels?: Record<string, { status: string; timeline?: Step[] }>;
}

/** Top-level statuses that say how every channel ended (docs/api.md): --watch stops on them. */
const SETTLED = new Set(['sent', 'partially_sent', 'suppressed', 'expired', 'parked', 'undelivered']);
export const isSettled = (status: string): boolean => SETTLED.has(status);

function detailOf(step: Step): string {
  return Object.entries(step)
    .filter(([k, v]) => k !== 'status' && k !== 'at' && v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

function elapsed(at: string, from: string | undefined): string {
  const ms = Date.parse(at) - Date.parse(from ?? '');
  if (Number.isNaN(ms)) return '';
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(3)}s`;
  if (abs < 3_600_000)
    return `${sign}${Math.floor(abs / 60_000)}m${String(Math.floor(abs / 1000) % 60).padStart(2, '0')}s`;
  return `${sign}${(abs / 3_600_000).toFixed(1)}h`;
}

/**
 * The view as an operator reads it: who and what, each channel's status, then every step in the
 * API's causal order: the notification-wide steps, then each channel's own (its copies of the wide
 * steps left out), with the time since the notification was created.
 */
export function formatTimeline(view: NotificationView): string {
  const head = [
    `notification ${view.id}: ${view.status}`,
    [
      view.userId && `user ${view.userId}`,
      view.category && `category ${view.category}`,
      view.priority && `priority ${view.priority}`,
      view.createdAt && `created ${view.createdAt}`,
    ]
      .filter(Boolean)
      .join(' · '),
  ];
  const channels = Object.entries(view.channels ?? {});
  const wide = view.timeline ?? [];
  const isWide = (s: Step) => wide.some((w) => w.status === s.status && w.at === s.at);
  // One story in time order (the channels' steps interleave); equal times keep their order.
  const time = (s: Step) => Date.parse(s.at) || 0;
  const rows = [
    ...wide.map((step) => ({ channel: '*', step })),
    ...channels.flatMap(([channel, c]) =>
      (c.timeline ?? []).filter((s) => !isWide(s)).map((step) => ({ channel, step })),
    ),
  ].sort((a, b) => time(a.step) - time(b.step));
  const parts = [head.filter((l) => l !== '').join('\n')];
  if (channels.length > 0) {
    parts.push(
      formatTable(
        [
          { header: 'CHANNEL', value: ([name]) => name },
          { header: 'STATUS', value: ([, c]) => c.status },
        ],
        channels,
      ),
    );
  }
  parts.push(
    formatTable(
      [
        { header: 'AT', value: (r) => r.step.at },
        { header: 'SINCE', value: (r) => elapsed(r.step.at, view.createdAt), align: 'right' },
        { header: 'CHANNEL', value: (r) => r.channel },
        { header: 'STEP', value: (r) => r.step.status },
        { header: 'DETAIL', value: (r) => detailOf(r.step), max: 120 },
      ],
      rows,
    ),
  );
  return parts.join('\n\n');
}
