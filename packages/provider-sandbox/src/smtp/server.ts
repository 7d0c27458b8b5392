import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { smtpHandlers } from './handlers';
import type { SmtpContext } from './handlers';

/** The sandbox's SMTP server: built with the sandbox, listening only once asked to. */
export interface SmtpListener {
  /**
   * Starts taking mail on `host:port` (port 0: a free one) and resolves with the port. Rejects if it
   * is already listening, or the port cannot be had.
   */
  listen(port?: number, host?: string): Promise<{ port: number }>;
  /**
   * Stops taking connections and resolves once every one is closed: a transaction in progress has
   * a second to finish, then each connection still open is answered 421 and closed. Does nothing
   * when not listening; it may listen again afterwards.
   */
  close(): Promise<void>;
  /** Where it listens, or null when it does not. */
  address(): { host: string; port: number } | null;
}

/** How long close() lets transactions in progress finish before ending their connections. */
const CLOSE_TIMEOUT_MS = 1000;

function createServer(ctx: SmtpContext): SMTPServer {
  return new SMTPServer({
    name: 'provider-sandbox.test',
    banner: 'Herald provider sandbox',
    size: ctx.maxMessageBytes,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    // Plain SMTP: no STARTTLS offered, so AUTH is allowed without TLS.
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    closeTimeout: CLOSE_TIMEOUT_MS,
    logger: false,
    ...smtpHandlers(ctx),
  });
}

export function createSmtpListener(ctx: SmtpContext): SmtpListener {
  let server: SMTPServer | null = null;
  let closing: Promise<void> = Promise.resolve();
  return {
    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('the sandbox SMTP server is already listening');
      const created = createServer(ctx);
      server = created;
      try {
        await new Promise<void>((resolve, reject) => {
          let started = false;
          // Before it listens, an error is the listen's (EADDRINUSE); after, a connection's.
          created.on('error', (err) => (started ? ctx.onError(err) : reject(err)));
          created.listen(port, host, () => {
            started = true;
            resolve();
          });
        });
      } catch (err) {
        server = null;
        throw err;
      }
      return { port: (created.server.address() as AddressInfo).port };
    },
    close() {
      const current = server;
      if (current) {
        server = null;
        closing = new Promise<void>((resolve) => current.close(resolve));
      }
      return closing;
    },
    address() {
      const bound = server?.server.address();
      if (!bound || typeof bound === 'string') return null;
      return { host: bound.address, port: bound.port };
    },
  };
}
