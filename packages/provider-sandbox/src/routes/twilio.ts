import type { FastifyInstance, FastifyReply } from 'fastify';
import { twilioCatalogError, twilioError } from '../provider-errors/twilio';
import type { TwilioError } from '../provider-errors/twilio';
import { basicCredentials, injectFaults, isRecord, randomHex, recordRequest } from './common';
import type { RouteContext } from './common';

/** Fake Twilio Programmable Messaging (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource). */

/** Twilio's own magic test number for "invalid 'To'" (https://www.twilio.com/docs/iam/test-credentials). */
export const INVALID_TO_NUMBER = '+15005550001';

const E164 = /^\+[1-9]\d{6,14}$/;

// GSM 03.38 basic set; the extension table's characters take two septets (3GPP TS 23.038).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '\f^{}\\[~]|€';

/** Segments an SMS body takes: GSM-7 160/153 septets, otherwise UCS-2 70/67 code units. */
export function countSegments(body: string): number {
  let septets = 0;
  for (const ch of body) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

/** A form field, taking the first value when it is repeated. */
function field(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** Twilio dates are RFC 2822 with a numeric zone. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

interface Params {
  AccountSid: string;
}

export function registerTwilio(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: Params }>(
    '/2010-04-01/Accounts/:AccountSid/Messages.json',
    async (request, reply): Promise<FastifyReply> => {
      const { AccountSid: accountSid } = request.params;
      const form = isRecord(request.body) ? request.body : {};
      const to = field(form, 'To');
      const from = field(form, 'From');
      const messagingServiceSid = field(form, 'MessagingServiceSid');
      const body = field(form, 'Body') ?? '';
      const statusCallback = field(form, 'StatusCallback');
      const reject = (error: TwilioError): FastifyReply => {
        recordRequest(ctx.store, to === undefined ? [] : [to], {
          provider: 'twilio',
          from: from ?? messagingServiceSid,
          body,
          ...(statusCallback === undefined ? {} : { statusCallback }),
          providerMessageId: null,
          accepted: false,
          status: error.status,
        });
        return reply.code(error.status).send(error);
      };

      const failure = await injectFaults(ctx, 'twilio', to === undefined ? [] : [to]);
      const credentials = basicCredentials(request.headers.authorization);
      // An API key (SK...) may authenticate for any account; otherwise the user is the account SID.
      if (!credentials || (credentials.user !== accountSid && !credentials.user.startsWith('SK'))) {
        return reject(twilioCatalogError('20003', to ?? ''));
      }
      if (failure !== null) {
        if (failure.status === 429) void reply.header('retry-after', '1');
        return reject(twilioCatalogError(failure.code, to ?? ''));
      }
      if (to === undefined) return reject(twilioError(400, 21604, "A 'To' phone number is required."));
      if (!E164.test(to) || to === INVALID_TO_NUMBER) return reject(twilioCatalogError('21211', to));
      if (from === undefined && messagingServiceSid === undefined) {
        return reject(twilioError(400, 21603, "A 'From' phone number is required."));
      }
      if (body === '' && field(form, 'MediaUrl') === undefined && field(form, 'ContentSid') === undefined) {
        return reject(twilioError(400, 21602, 'Message body is required.'));
      }

      const sid = `SM${randomHex(16)}`;
      const message = ctx.store.record(
        {
          provider: 'twilio',
          to,
          from: from ?? messagingServiceSid,
          body,
          ...(statusCallback === undefined ? {} : { statusCallback }),
          providerMessageId: sid,
          accepted: true,
          status: 201,
        },
        // Twilio signs status callbacks with the account's auth token: here, the one that was used.
        { accountSid, authToken: credentials.password },
      );
      const created = rfc2822(new Date(message.receivedAt));
      const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;
      return reply.code(201).send({
        account_sid: accountSid,
        api_version: '2010-04-01',
        body,
        date_created: created,
        date_sent: null,
        date_updated: created,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: from ?? null,
        messaging_service_sid: messagingServiceSid ?? null,
        num_media: '0',
        num_segments: String(countSegments(body)),
        price: null,
        price_unit: 'USD',
        sid,
        status: messagingServiceSid !== undefined && from === undefined ? 'accepted' : 'queued',
        subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
        to,
        uri,
      });
    },
  );
}
