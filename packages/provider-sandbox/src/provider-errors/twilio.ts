/** Twilio's REST error body (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions). */
export interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export function twilioError(status: number, code: number, message: string): TwilioError {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

interface Entry {
  status: number;
  /** Twilio quotes the 'To' number in some messages. */
  message: (to: string) => string;
}

/** The API errors a fault can name, by code (https://www.twilio.com/docs/api/errors). */
const CATALOG: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['21211', { status: 400, message: (to) => `The 'To' number ${to} is not a valid phone number.` }],
  [
    '21408',
    {
      status: 400,
      message: (to) =>
        `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
    },
  ],
  ['21610', { status: 400, message: () => 'Attempt to send to unsubscribed recipient' }],
  [
    '21612',
    {
      status: 400,
      message: (to) => `The 'To' phone number: ${to}, is not currently reachable via SMS.`,
    },
  ],
  ['21614', { status: 400, message: (to) => `The 'To' number ${to} is not a valid mobile number.` }],
  ['20003', { status: 401, message: () => 'Authenticate' }],
  ['20429', { status: 429, message: () => 'Too Many Requests' }],
  ['20500', { status: 500, message: () => 'Internal Server Error' }],
  ['20503', { status: 503, message: () => 'Service Unavailable' }],
]);

export const TWILIO_ERROR_CODES: readonly string[] = [...CATALOG.keys()];

export function twilioErrorStatus(code: string): number | undefined {
  return CATALOG.get(code)?.status;
}

/** The body Twilio answers for a catalog code; `to` is the request's 'To' number ('' if none). */
export function twilioCatalogError(code: string, to: string): TwilioError {
  const entry = CATALOG.get(code);
  // Fault specs are validated against the catalog: an unknown code here is a bug.
  if (!entry) throw new Error(`no Twilio error ${code} in the sandbox catalog`);
  return twilioError(entry.status, Number(code), entry.message(to));
}
