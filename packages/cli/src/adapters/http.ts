import { CliError, TransportError, describeHttpError } from '../domain/errors';

export interface ApiTarget {
  /** Which service, as the error messages name it, and the flag and variable that set its URL. */
  name: 'ingest' | 'dlq';
  baseUrl: string;
  key: string | undefined;
  setBy: string;
}

export interface Reply<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  /** Human words for the request, for error messages: "sending the notification". */
  what: string;
  scope: 'send' | 'admin';
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses besides 2xx the caller handles itself. */
  accept?: number[];
  timeoutMs?: number;
}

export interface Api {
  call<T>(method: string, path: string, opts: CallOptions): Promise<Reply<T>>;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

function why(err: unknown): string {
  const name = (err as Error).name;
  return name === 'TimeoutError' || name === 'AbortError' ? 'no answer in time' : causeOf(err);
}

/** Herald's public HTTP APIs over fetch: JSON in and out, the API key as a bearer token. */
export function createApi(target: ApiTarget, fetchImpl: typeof fetch = fetch): Api {
  return {
    async call<T>(method: string, path: string, opts: CallOptions): Promise<Reply<T>> {
      if (!target.key) {
        throw new CliError(
          `${opts.what} needs an API key with the ${opts.scope} scope: set HERALD_KEY or pass --key ` +
            '(./dev up prints the development key; it is also in .run/dev-api-key).',
        );
      }
      // Relative to the base, so a base URL with a path (behind a proxy) keeps it.
      const url = new URL(
        path.replace(/^\/+/, ''),
        target.baseUrl.endsWith('/') ? target.baseUrl : `${target.baseUrl}/`,
      );
      let res: Response;
      let text: string;
      try {
        res = await fetchImpl(url, {
          method,
          headers: {
            authorization: `Bearer ${target.key}`,
            ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...opts.headers,
          },
          ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
        });
      } catch (err) {
        throw new TransportError(
          `${opts.what}: cannot reach ${target.name} at ${target.baseUrl} (${why(err)}). Is Herald running ` +
            `(./dev status)? Set ${target.setBy} if it listens elsewhere.`,
        );
      }
      try {
        // Within the same deadline: a body that stops coming is as much a failure as no answer.
        text = await res.text();
      } catch (err) {
        throw new TransportError(
          `${opts.what}: ${target.name} at ${target.baseUrl} answered ${res.status} but its body ` +
            `did not arrive (${why(err)}).`,
        );
      }
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        // Not JSON (a proxy's error page, say): kept as text for the message below.
      }
      if (!res.ok && !(opts.accept ?? []).includes(res.status)) {
        throw new CliError(describeHttpError(opts.what, res.status, body, opts.scope));
      }
      return { status: res.status, body: body as T, headers: res.headers };
    },
  };
}
