import { Agent as HttpsAgent } from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { HeraldError, describeNoAnswer, isTransportFailure } from '@herald/shared';
import type { ChannelMessage, ChannelSender, SendResult } from '@herald/shared';
import { classifyTwilioError } from '../domain/classify-twilio-error';
import { countSegments, isE164 } from '../domain/sms';

export interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  /** An E.164 number, or a Messaging Service SID (MG...). */
  from: string;
  /** The provider sandbox's address in dev and tests; Twilio's API otherwise. */
  sandboxUrl?: string;
  /** Per-request timeout; a timeout is `provider_unavailable`. */
  timeoutMs?: number;
  /**
   * Connections to Twilio kept at once: the sends in flight (`DISPATCH_CONCURRENCY`). The SDK's own
   * agent allows 20 per host otherwise, which would cap the sends in flight at 20 whatever else is set.
   */
  maxConnections?: number;
  /** Where Twilio posts the message's delivery status (ingest's `/v1/webhooks/twilio`). */
  statusCallbackUrl?: (message: ChannelMessage) => string;
  /** Longer bodies are refused before sending (`message_too_long`), never billed. */
  maxSegments: number;
  /** Hears each body's segment count (the `herald_sms_segments` histogram). */
  onSegments?: (segments: number) => void;
}

/**
 * Twilio's own HTTP client with one change: every request goes to the sandbox's origin instead of
 * api.twilio.com, keeping path and query. Request building, auth and response parsing stay the SDK's.
 */
export class SandboxRequestClient extends twilio.RequestClient {
  private readonly origin: string;

  constructor(sandboxUrl: string, opts: RequestClient.RequestClientOptions = {}) {
    super(opts);
    this.origin = new URL(sandboxUrl).origin;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const uri = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.origin}${uri.pathname}${uri.search}` });
  }
}

/** SMS through Twilio's Messages API with the official SDK. */
export function createTwilioSender(opts: TwilioSenderOptions): ChannelSender {
  const clientOpts = {
    timeout: opts.timeoutMs ?? 10_000,
    keepAlive: true,
    ...(opts.maxConnections !== undefined
      ? {
          maxSockets: opts.maxConnections,
          maxTotalSockets: opts.maxConnections,
          maxFreeSockets: opts.maxConnections,
        }
      : {}),
  };
  const httpClient =
    opts.sandboxUrl !== undefined
      ? new SandboxRequestClient(opts.sandboxUrl, clientOpts)
      : new twilio.RequestClient(clientOpts);
  const client = twilio(opts.accountSid, opts.authToken, { httpClient });
  const sender = opts.from.startsWith('MG') ? { messagingServiceSid: opts.from } : { from: opts.from };

  return {
    provider: 'twilio',
    async send(message: ChannelMessage): Promise<SendResult> {
      // Refused here, before a token of the rate limit or a request is spent on them.
      if (!isE164(message.address)) {
        throw new HeraldError('invalid_address', 'the recipient is not an E.164 phone number');
      }
      const { segments, encoding } = countSegments(message.body);
      opts.onSegments?.(segments);
      if (segments > opts.maxSegments) {
        throw new HeraldError(
          'message_too_long',
          `the body takes ${segments} ${encoding} segments, more than SMS_MAX_SEGMENTS (${opts.maxSegments})`,
        );
      }
      try {
        const created = await client.messages.create({
          to: message.address,
          body: message.body,
          ...sender,
          ...(opts.statusCallbackUrl ? { statusCallback: opts.statusCallbackUrl(message) } : {}),
        });
        return { providerMessageId: created.sid };
      } catch (err) {
        throw toHeraldError(err);
      }
    },
    close(): Promise<void> {
      // The SDK's own keep-alive agent for api.twilio.com; sandbox mode uses Node's global http agent.
      const agent: unknown = httpClient.axios.defaults.httpsAgent;
      if (agent instanceof HttpsAgent) agent.destroy();
      return Promise.resolve();
    },
  };
}

/**
 * Twilio answers are thrown as RestException (or TwilioServiceException) with numeric `status` and
 * `code`; no answer comes as an axios error with a string `code`. Neither is kept as `cause`: Twilio's
 * messages quote the phone number, and axios errors carry the request with its credentials.
 */
function toHeraldError(err: unknown): HeraldError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { status?: unknown; code?: unknown };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = typeof e.code === 'number' ? e.code : undefined;
  const detail =
    status !== undefined
      ? `answered ${status}${code !== undefined ? `, code ${code}` : ''}`
      : describeNoAnswer(err);
  const unreachable = isTransportFailure(err);
  // Twilio's own error code when it gave one (21610: the recipient replied STOP), else the status.
  const providerCode =
    code !== undefined ? `twilio:${code}` : status !== undefined ? `twilio:http_${status}` : undefined;
  return new HeraldError(
    classifyTwilioError({ status, code, unreachable }),
    `Twilio ${detail}`,
    providerCode ? { providerCode } : {},
  );
}
