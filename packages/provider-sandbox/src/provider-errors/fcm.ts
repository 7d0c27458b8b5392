/** Google's error envelope (https://cloud.google.com/apis/design/errors), with FCM's detail. */
export interface GoogleError {
  error: { code: number; message: string; status: string; details: Record<string, unknown>[] };
}

export const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

export function googleError(
  code: number,
  status: string,
  message: string,
  fcmErrorCode?: string,
): GoogleError {
  const details = fcmErrorCode === undefined ? [] : [{ '@type': FCM_ERROR_TYPE, errorCode: fcmErrorCode }];
  return { error: { code, message, status, details } };
}

type Entry = [httpStatus: number, status: string, message: string, errorCode: string];

/**
 * The errors a fault can name, by FCM v1 `ErrorCode`
 * (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode). firebase-admin reads the
 * detail's errorCode; INVALID_PAYLOAD is the sandbox's name for an INVALID_ARGUMENT about the
 * payload, whose message (unlike the token one) does not mention the token.
 */
const CATALOG: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['UNREGISTERED', [404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED']],
  [
    'INVALID_ARGUMENT',
    [
      400,
      'INVALID_ARGUMENT',
      'The registration token is not a valid FCM registration token',
      'INVALID_ARGUMENT',
    ],
  ],
  [
    'INVALID_PAYLOAD',
    [
      400,
      'INVALID_ARGUMENT',
      'Invalid JSON payload received. Unknown name "colour" at \'message.notification\': Cannot find field.',
      'INVALID_ARGUMENT',
    ],
  ],
  ['SENDER_ID_MISMATCH', [403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH']],
  ['QUOTA_EXCEEDED', [429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for sending messages.', 'QUOTA_EXCEEDED']],
  ['UNAVAILABLE', [503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE']],
  ['INTERNAL', [500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL']],
  [
    'THIRD_PARTY_AUTH_ERROR',
    [401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', 'THIRD_PARTY_AUTH_ERROR'],
  ],
]);

export const FCM_ERROR_CODES: readonly string[] = [...CATALOG.keys()];

export function fcmErrorStatus(code: string): number | undefined {
  return CATALOG.get(code)?.[0];
}

/** The body FCM answers for a catalog code. */
export function fcmCatalogError(code: string): GoogleError {
  const entry = CATALOG.get(code);
  // Fault specs are validated against the catalog: an unknown code here is a bug.
  if (!entry) throw new Error(`no FCM error ${code} in the sandbox catalog`);
  return googleError(...entry);
}
