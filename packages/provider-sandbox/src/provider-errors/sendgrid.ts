/** One entry of SendGrid's `{ errors: [...] }` body (https://www.twilio.com/docs/sendgrid/api-reference/how-to-use-the-sendgrid-v3-api/errors). */
export interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

export function sendGridError(message: string, field: string | null): SendGridError {
  return { message, field, help: null };
}

interface Entry {
  status: number;
  error: SendGridError;
}

const entry = (status: number, message: string, field: string | null = null): Entry => ({
  status,
  error: sendGridError(message, field),
});

/** The errors a fault can name. SendGrid has no error codes: these names are the sandbox's own. */
const CATALOG: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['invalid_email', entry(400, 'Does not contain a valid address.', 'personalizations.0.to.0.email')],
  [
    'bad_request',
    entry(
      400,
      'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
      'content',
    ),
  ],
  ['unauthorized', entry(401, 'The provided authorization grant is invalid, expired, or revoked')],
  ['forbidden', entry(403, 'access forbidden')],
  ['payload_too_large', entry(413, 'The JSON payload you have included in your request is too large.')],
  ['rate_limited', entry(429, 'too many requests')],
  ['internal', entry(500, 'internal server error')],
  ['unavailable', entry(503, 'service unavailable')],
]);

export const SENDGRID_ERROR_CODES: readonly string[] = [...CATALOG.keys()];

export function sendGridErrorStatus(code: string): number | undefined {
  return CATALOG.get(code)?.status;
}

/** The status and error SendGrid answers for a catalog name. */
export function sendGridCatalogError(code: string): { status: number; error: SendGridError } {
  const found = CATALOG.get(code);
  // Fault specs are validated against the catalog: an unknown name here is a bug.
  if (!found) throw new Error(`no SendGrid error '${code}' in the sandbox catalog`);
  return { status: found.status, error: { ...found.error } };
}
