import type { FastifyInstance, FastifyReply } from 'fastify';
import { fcmCatalogError, googleError } from '../provider-errors/fcm';
import type { GoogleError } from '../provider-errors/fcm';
import type { FcmAndroidConfig, FcmApnsConfig } from '../store';
import { bearerToken, injectFaults, isRecord, randomHex, recordRequest, stringOrUndefined } from './common';
import type { RouteContext } from './common';

/** Fake FCM HTTP v1 send (https://firebase.google.com/docs/reference/fcm/rest/v1/projects.messages/send). */

export const UNREGISTERED_TOKEN_PREFIX = 'unregistered-';
export const INVALID_TOKEN_PREFIX = 'invalid-';

interface PushSummary {
  target: string | undefined;
  title?: string;
  body: string;
  data?: Record<string, string>;
  dataError: boolean;
  android?: FcmAndroidConfig;
  apns?: FcmApnsConfig;
  /** Google's message when `android` or `apns` has a field of the wrong JSON type, else null. */
  configError: string | null;
}

// A protobuf Duration in JSON: seconds, up to nine fractional digits, then `s` (protobuf JSON mapping).
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

const invalid = (path: string, type: string, value: unknown): string =>
  `Invalid value at 'message.${path}' (${type}), ${JSON.stringify(value)}`;

/** The first field of `android` or `apns` FCM would refuse to parse, as Google words it; null if none. */
function configError(android: unknown, apns: unknown): string | null {
  if (android !== undefined) {
    if (!isRecord(android))
      return invalid('android', 'type.googleapis.com/google.firebase.fcm.v1.AndroidConfig', android);
    const { ttl, priority, collapse_key: collapseKey } = android;
    if (ttl !== undefined && !(typeof ttl === 'string' && DURATION.test(ttl))) {
      return invalid('android.ttl', 'type.googleapis.com/google.protobuf.Duration', ttl);
    }
    if (priority !== undefined && typeof priority !== 'string') {
      return invalid(
        'android.priority',
        'type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority',
        priority,
      );
    }
    if (collapseKey !== undefined && typeof collapseKey !== 'string') {
      return invalid('android.collapse_key', 'TYPE_STRING', collapseKey);
    }
  }
  if (apns !== undefined) {
    if (!isRecord(apns))
      return invalid('apns', 'type.googleapis.com/google.firebase.fcm.v1.ApnsConfig', apns);
    const { headers } = apns;
    if (
      headers !== undefined &&
      !(isRecord(headers) && Object.values(headers).every((v) => typeof v === 'string'))
    ) {
      return invalid('apns.headers', 'TYPE_STRING', headers);
    }
  }
  return null;
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
  const { android, apns } = message;
  const badConfig = configError(android, apns);
  return {
    target,
    title: stringOrUndefined(notification.title),
    body: stringOrUndefined(notification.body) ?? '',
    data,
    dataError,
    // Kept only when well-typed, so the record's types hold.
    ...(badConfig === null && android !== undefined ? { android: android as FcmAndroidConfig } : {}),
    ...(badConfig === null && apns !== undefined ? { apns: apns as FcmApnsConfig } : {}),
    configError: badConfig,
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
      const { target, dataError, configError: badConfig, ...summary } = summarizePush(request.body);
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

      const failure = await injectFaults(ctx, 'fcm', target === undefined ? [] : [target]);
      if (!bearerToken(request.headers.authorization)) {
        return reject(
          googleError(
            401,
            'UNAUTHENTICATED',
            'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          ),
        );
      }
      if (failure !== null) {
        if (failure.status === 429) void reply.header('retry-after', '1');
        return reject(fcmCatalogError(failure.code));
      }
      if (target === undefined) {
        return reject(
          googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', 'INVALID_ARGUMENT'),
        );
      }
      if (target.startsWith(UNREGISTERED_TOKEN_PREFIX)) return reject(fcmCatalogError('UNREGISTERED'));
      if (target.startsWith(INVALID_TOKEN_PREFIX)) return reject(fcmCatalogError('INVALID_ARGUMENT'));
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
      if (badConfig !== null)
        return reject(googleError(400, 'INVALID_ARGUMENT', badConfig, 'INVALID_ARGUMENT'));

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
