import type { Channel, Status } from '@herald/shared/domain';

/**
 * What the providers' delivery callbacks tell Herald, as status events and suppressions. Pure: the
 * routes verify the signatures and parse the bodies, then hand the fields here.
 */
export interface WebhookEvent {
  /** Unique per provider event, so a callback the provider repeats is projected once. */
  eventKey: string;
  notificationId: string;
  channel: Channel;
  status: Extract<Status, 'DELIVERED' | 'BOUNCED' | 'UNDELIVERED'>;
  reason: string | null;
  providerMessageId: string | null;
  /** Epoch ms, as the provider stamped it. */
  at: number;
}

export interface AddressToSuppress {
  channel: Channel;
  address: string;
  reason: string;
}

export interface WebhookOutcome {
  events: WebhookEvent[];
  suppressions: AddressToSuppress[];
  /** Callbacks that were not about a Herald notification, or say nothing Herald keeps. */
  ignored: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** SendGrid's `dropped` reasons that say the address itself is dead (it is on SendGrid's own lists). */
const DEAD_ADDRESS_DROP = /bounced address|invalid/i;

/**
 * SendGrid's Event Webhook (an array of events; our custom args, `notificationId` among them, are
 * top-level fields of each). `delivered` → delivered; a `bounce` → bounced, and a hard one
 * (`type: bounce`, not `blocked`) suppresses the address; `dropped` → undelivered, suppressing an
 * address SendGrid dropped as bounced or invalid; `spamreport` suppresses the address. Everything
 * else (processed, deferred, open, click...) is ignored.
 */
export function sendGridEvents(body: unknown, now: number): WebhookOutcome {
  const out: WebhookOutcome = { events: [], suppressions: [], ignored: 0 };
  for (const raw of Array.isArray(body) ? body : []) {
    const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const notificationId = str(e.notificationId);
    const email = str(e.email);
    const event = str(e.event);
    const eventId = str(e.sg_event_id);
    const at = typeof e.timestamp === 'number' ? e.timestamp * 1000 : now;
    const messageId = str(e.sg_message_id)?.split('.')[0] ?? null;
    const base = { channel: 'EMAIL' as const, providerMessageId: messageId, at };
    const emit = (status: WebhookEvent['status'], reason: string | null) => {
      if (notificationId && UUID.test(notificationId) && eventId)
        out.events.push({ ...base, eventKey: `sendgrid:${eventId}`, notificationId, status, reason });
    };
    const suppress = (reason: string) => {
      if (email) out.suppressions.push({ channel: 'EMAIL', address: email, reason });
    };
    switch (event ?? '') {
      case 'delivered':
        emit('DELIVERED', null);
        break;
      case 'bounce': {
        const hard = (str(e.type) ?? 'bounce') === 'bounce';
        emit('BOUNCED', hard ? 'hard_bounce' : 'blocked');
        if (hard) suppress('sendgrid:bounce');
        break;
      }
      case 'dropped': {
        const reason = str(e.reason) ?? '';
        emit('UNDELIVERED', 'dropped');
        if (DEAD_ADDRESS_DROP.test(reason)) suppress('sendgrid:dropped');
        break;
      }
      case 'spamreport':
        suppress('sendgrid:spamreport');
        break;
      default:
        out.ignored++;
    }
  }
  return out;
}

/**
 * Twilio error codes on a failed or undelivered message that say the number cannot receive:
 * unknown destination, landline or unreachable carrier, the recipient replied STOP, not a mobile
 * number, invalid number. 30003 (unreachable handset) and the like are temporary: not suppressed.
 */
const DEAD_NUMBER_CODES: ReadonlySet<string> = new Set(['30005', '30006', '21610', '21614', '21211']);

/**
 * A Twilio status callback (form fields; our `notificationId` rides in the callback URL's query).
 * `delivered` → delivered; `undelivered` or `failed` → undelivered with Twilio's error code, and
 * the number suppressed when the code says it cannot receive. Interim states are ignored.
 */
export function twilioCallback(
  form: URLSearchParams,
  notificationId: string | null,
  now: number,
): WebhookOutcome {
  const out: WebhookOutcome = { events: [], suppressions: [], ignored: 0 };
  const sid = str(form.get('MessageSid'));
  const status = str(form.get('MessageStatus'));
  const to = str(form.get('To'));
  const code = str(form.get('ErrorCode'));
  if (!sid || !notificationId || !UUID.test(notificationId)) return { ...out, ignored: 1 };
  const base = { channel: 'SMS' as const, providerMessageId: sid, at: now, notificationId };
  if (status === 'delivered') {
    out.events.push({ ...base, eventKey: `twilio:${sid}:delivered`, status: 'DELIVERED', reason: null });
  } else if (status === 'undelivered' || status === 'failed') {
    const reason = code ? `twilio:${code}` : `twilio:${status}`;
    out.events.push({ ...base, eventKey: `twilio:${sid}:${status}`, status: 'UNDELIVERED', reason });
    if (code && DEAD_NUMBER_CODES.has(code) && to)
      out.suppressions.push({ channel: 'SMS', address: to, reason });
  } else {
    out.ignored++;
  }
  return out;
}
