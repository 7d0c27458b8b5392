import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { types } from 'node:util';
import type { MessageStore } from '../store';
import { sendGridVerificationKey } from './keys';
import { httpOrigin, isHttpUrl } from './requests';
import { sendGridEvents, signSendGridPayload } from './sendgrid-events';
import type { SendGridEventRequest } from './sendgrid-events';
import { twilioSignature, twilioStatusForm } from './twilio-status';
import type { TwilioStatusRequest } from './twilio-status';

/** What became of a webhook the sandbox was asked to send. */
export type WebhookOutcome =
  | {
      kind: 'sent';
      /** Where the webhook was posted. */
      url: string;
      /**
       * The URL the signature covers, when it is not `url`: a Twilio `StatusCallback` posted through
       * `twilioCallbackOrigin`.
       */
      signedUrl?: string;
      status: number;
      body: string;
    }
  | { kind: 'not_found'; message: string }
  | { kind: 'no_receiver'; message: string }
  | { kind: 'unreachable'; message: string };

export interface WebhookSenderOptions {
  store: MessageStore;
  /** Signs SendGrid events: an EC P-256 private key. */
  sendgridKey: KeyObject;
  /** Where SendGrid events go when a request names no `url`. */
  sendgridUrl?: string;
  /**
   * Where Twilio status callbacks go, as a proxy or tunnel would forward them: this origin with the
   * `StatusCallback`'s path and query. They are still signed over the `StatusCallback` itself, the URL
   * Twilio was given. Absent: posted to the `StatusCallback` as given.
   */
  twilioCallbackOrigin?: string;
  /** Epoch milliseconds, for the events' and the signature's timestamps. */
  now: () => number;
  /** How long a receiver has to answer; 10 s by default. */
  timeoutMs?: number;
}

function describe(err: unknown): string {
  // fetch rejects with TypeError('fetch failed'); its cause says why. isNativeError: the error may
  // come from another realm (jest's), where instanceof Error fails.
  if (!types.isNativeError(err)) return String(err);
  const { cause } = err;
  if (!types.isNativeError(cause)) return err.message;
  const { code } = cause as NodeJS.ErrnoException;
  return code === undefined ? cause.message : `${code} (${cause.message})`;
}

/**
 * Sends the providers' webhooks about the messages the sandbox accepted, signed as the providers
 * sign them: SendGrid's Event Webhook and Twilio's status callbacks.
 */
export class WebhookSender {
  /** The SendGrid verification key, as SendGrid shows it: base64 SPKI DER. */
  readonly sendgridPublicKey: string;

  /** `twilioCallbackOrigin`, as `URL` spells an origin (no trailing `/`). */
  private readonly twilioOrigin?: string;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.sendgridPublicKey = sendGridVerificationKey(opts.sendgridKey);
    if (opts.twilioCallbackOrigin !== undefined) {
      this.twilioOrigin = httpOrigin(opts.twilioCallbackOrigin);
      if (this.twilioOrigin === undefined) {
        throw new Error(
          `twilioCallbackOrigin must be an absolute http or https origin (scheme, host, port; no path), got '${opts.twilioCallbackOrigin}'`,
        );
      }
    }
  }

  /** Posts one SendGrid event per recipient of the mail, as one signed JSON array. */
  async sendgrid(request: SendGridEventRequest): Promise<WebhookOutcome> {
    const messages = this.opts.store
      .byProviderMessageId(request.providerMessageId)
      .filter((m) => m.provider === 'sendgrid');
    if (messages.length === 0) return this.notFound('SendGrid', request.providerMessageId);
    const url = request.url ?? this.opts.sendgridUrl;
    if (url === undefined) {
      return {
        kind: 'no_receiver',
        message: 'no url given and the sandbox has no sendgridWebhookUrl (SANDBOX_SENDGRID_WEBHOOK_URL)',
      };
    }
    const nowMs = this.opts.now();
    const timestamp = String(Math.floor(nowMs / 1000));
    const body = JSON.stringify(sendGridEvents(messages, request, nowMs));
    return this.post(url, body, {
      'content-type': 'application/json',
      'user-agent': 'SendGrid Event API',
      'x-twilio-email-event-webhook-signature': signSendGridPayload(this.opts.sendgridKey, timestamp, body),
      'x-twilio-email-event-webhook-timestamp': timestamp,
    });
  }

  /**
   * Posts the message's status to its `StatusCallback` (or through `twilioCallbackOrigin`), signed
   * over the `StatusCallback` with the auth token the message was sent with.
   */
  async twilio(request: TwilioStatusRequest): Promise<WebhookOutcome> {
    const message = this.opts.store
      .byProviderMessageId(request.providerMessageId)
      .find((m) => m.provider === 'twilio');
    const credentials = message && this.opts.store.twilioCredentials(message);
    if (!message || !credentials) return this.notFound('Twilio', request.providerMessageId);
    if (message.statusCallback === undefined) {
      return {
        kind: 'no_receiver',
        message: `message ${request.providerMessageId} was sent without a StatusCallback`,
      };
    }
    const signedUrl = message.statusCallback;
    const target = this.twilioTarget(signedUrl);
    if (target === undefined) {
      return {
        kind: 'unreachable',
        message: `StatusCallback '${signedUrl}' is not an absolute http(s) URL, so it has no path to send to ${this.twilioOrigin}`,
      };
    }
    const fields = twilioStatusForm(message, credentials, request);
    const outcome = await this.post(target, new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomUUID(),
      'x-twilio-signature': twilioSignature(credentials.authToken, signedUrl, fields),
    });
    return outcome.kind === 'sent' && target !== signedUrl ? { ...outcome, signedUrl } : outcome;
  }

  /** Where a status callback is posted: the `StatusCallback`, or its path and query on `twilioCallbackOrigin`. */
  private twilioTarget(statusCallback: string): string | undefined {
    const origin = this.twilioOrigin;
    if (origin === undefined) return statusCallback;
    if (!isHttpUrl(statusCallback)) return undefined;
    const { pathname, search } = new URL(statusCallback);
    return `${origin}${pathname}${search}`;
  }

  private notFound(provider: string, id: string): WebhookOutcome {
    return {
      kind: 'not_found',
      message: `no ${provider} message '${id}' in the sandbox (only accepted messages it still holds)`,
    };
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<WebhookOutcome> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      return { kind: 'sent', url, status: res.status, body: await res.text() };
    } catch (err) {
      return { kind: 'unreachable', message: `could not reach ${url}: ${describe(err)}` };
    }
  }
}
