import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultStatus } from '../faults';
import { bearerToken, injectFaults, isRecord, randomHex, recordRequest, stringOrUndefined } from './common';
import type { RouteContext } from './common';

/** Fake FCM HTTP v1 send (https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages/send). */

export const UNREGISTERED_TOKEN_PREFIX = 'unregistered-';
export const INVALID_TOKEN_PREFIX = 'invalid-';

/** Google's error envelope (https://cloud.google.com/apis/design/errors), with FCM's detail. */
interface GoogleError {
  error: { code: number; message: string; status: string; details: Record<string, unknown>[] };
}

function googleError(code: number, status: string, message: string, fcmErrorCode?: string): GoogleError {
  const details =
    fcmErrorCode === undefined
      ? []
      : [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmErrorCode }];
  return { error: { code, message, status, details } };
}

const FAULTS: Record<FaultStatus, GoogleError> = {
  429: googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for sending messages.', 'QUOTA_EXCEEDED'),
  500: googleError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'),
  503: googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'),
};

interface PushSummary {
  target: string | undefined;
  title?: string;
  body: string;
  data?: Record<string, string>;
  dataError: boolean;
}

function summarizePush(payload: unknown): PushSummary {
  const message = isRecord(payload) && isRecord(payload.message) ? payload.message : {};
  const notification = isRecord(message.notification) ? message.notification : {};
  const topic = stringOrUndefined(message.topic);
  const target =
    stringOrUndefined(message.token) ??
    (topic === undefined ? undefined : `/topics/${topic}`) ??
    stringOrUndefined(message.condition);
  const rawData = message.data;
  const dataError =
    rawData !== undefined &&
    (!isRecord(rawData) || Object.values(rawData).some((v) => typeof v !== 'string'));
  const data = isRecord(rawData)
    ? Object.fromEntries(Object.entries(rawData).map(([k, v]) => [k, String(v)]))
    : undefined;
  return {
    target,
    title: stringOrUndefined(notification.title),
    body: stringOrUndefined(notification.body) ?? '',
    data,
    dataError,
  };
}

/** Names look like `projects/<p>/messages/0:1500415314455276%31bd1c9631bd1c96`. */
function messageId(): string {
  return `0:${Date.now()}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}%${randomHex(8)}`;
}

interface Params {
  projectId: string;
}

export function registerFcm(app: FastifyInstance, ctx: RouteContext): void {
  // `::` is find-my-way's escape for a literal ':' (the path really is `messages:send`).
  app.post<{ Params: Params }>(
    '/v1/projects/:projectId/messages::send',
    async (request, reply): Promise<FastifyReply> => {
      const { target, dataError, ...summary } = summarizePush(request.body);
      const reject = (error: GoogleError): FastifyReply => {
        recordRequest(ctx.store, target === undefined ? [] : [target], {
          provider: 'fcm',
          ...summary,
          providerMessageId: null,
          accepted: false,
          status: error.error.code,
        });
        return reply.code(error.error.code).send(error);
      };

      const fault = await injectFaults(ctx, 'fcm');
      if (!bearerToken(request.headers.authorization)) {
        return reject(
          googleError(
            401,
            'UNAUTHENTICATED',
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          ),
        );
      }
      if (fault !== null) {
        if (fault === 429) void reply.header('retry-after', '1');
        return reject(FAULTS[fault]);
      }
      if (target === undefined) {
        return reject(
          googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', 'INVALID_ARGUMENT'),
        );
      }
      if (target.startsWith(UNREGISTERED_TOKEN_PREFIX)) {
        return reject(googleError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'));
      }
      if (target.startsWith(INVALID_TOKEN_PREFIX)) {
        return reject(
          googleError(
            400,
            'INVALID_ARGUMENT',
            'The registration token is not a valid FCM registration token',
            'INVALID_ARGUMENT',
          ),
        );
      }
      if (dataError) {
        return reject(
          googleError(
            400,
            'INVALID_ARGUMENT',
            "Invalid value at 'message.data': values must be strings",
            'INVALID_ARGUMENT',
          ),
        );
      }

      const name = `projects/${request.params.projectId}/messages/${messageId()}`;
      ctx.store.record({
        provider: 'fcm',
        to: target,
        ...summary,
        providerMessageId: name,
        accepted: true,
        status: 200,
      });
      return reply.code(200).send({ name });
    },
  );
}
