import { Socket, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import pg from 'pg';
import { waitFor } from './infra';

/** What one simulated restart did to the connections open at the time. */
export interface OutageReport {
  /** Backends of the database that pg_terminate_backend ended: their clients got SQLSTATE 57P01. */
  terminated: number;
  /** Proxied connections still open after that, cut with a TCP reset (ECONNRESET). */
  reset: number;
}

export interface PostgresProxy {
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  readonly url: string;
  /**
   * What the services see when Postgres restarts, without restarting it (the server is shared):
   * every backend of the database is terminated (57P01, "terminating connection due to administrator
   * command", as a fast shutdown does), what is left of the proxied connections is reset, and new
   * connections are refused (ECONNREFUSED) for `ms`; then the proxy listens again on the same port.
   */
  outage(ms: number): Promise<OutageReport>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on a free loopback port in front of the Postgres of `databaseUrl`. `adminUrl` is a
 * direct connection (to another database) that terminates the backends.
 */
export async function startPostgresProxy(databaseUrl: string, adminUrl: string): Promise<PostgresProxy> {
  const target = new URL(databaseUrl);
  const database = decodeURIComponent(target.pathname.slice(1));
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let closed = false;

  const accept = (client: Socket) => {
    const upstream = new Socket();
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A backend that ends its connection (a terminated one, after its error message) ends the client's.
    client.pipe(upstream).on('error', end);
    upstream.pipe(client).on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    upstream.connect(Number(target.port || 5432), target.hostname);
  };

  const listen = async (port: number): Promise<Server> => {
    const server = createServer(accept);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server;
  };
  let server: Server | undefined = await listen(0);
  const port = (server.address() as AddressInfo).port;
  const proxied = new URL(databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);

  const stopListening = async (): Promise<void> => {
    const s = server;
    server = undefined;
    // close() stops accepting at once; its callback waits for the open connections to end.
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  const resetAll = (): number => {
    const open = [...pairs];
    for (const { client, upstream } of open) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
    return open.length;
  };

  return {
    url: proxied.toString(),
    async outage(ms) {
      if (closed || !server) throw new Error('the Postgres proxy is closed or already in an outage');
      const stopped = stopListening();
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      let terminated: number;
      try {
        const { rows } = await admin.query<{ ok: boolean }>(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
            WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [database],
        );
        terminated = rows.filter((r) => r.ok).length;
      } finally {
        await admin.end();
      }
      // The terminated backends' error messages reach their clients through the proxy first.
      await waitFor('the proxied connections to end', () => pairs.size === 0, 2000, 20).catch(
        () => undefined,
      );
      const reset = resetAll();
      await stopped;
      await new Promise((r) => setTimeout(r, ms));
      if (!closed) server = await listen(port);
      return { terminated, reset };
    },
    async close() {
      closed = true;
      resetAll();
      await stopListening();
    },
  };
}
