import { addressHash } from '@herald/shared';
import type { Pool } from '@herald/shared';
import type { Channel } from '@herald/shared/domain';
import { suppressionKey } from '../domain/consent';

/** Addresses that cannot receive (hard bounces, invalid numbers, dead tokens). */
export interface SuppressionList {
  /** Which of these are suppressed, as `suppressionKey`s: one query for a whole batch. */
  findMany(addresses: readonly { channel: Channel; address: string }[]): Promise<Set<string>>;
}

/**
 * Read for every batch, never cached: a suppression is written by the dispatchers and provider
 * webhooks as it happens, and an address that bounced must not get the next message.
 */
export function pgSuppressionList(pool: Pool): SuppressionList {
  return {
    async findMany(addresses) {
      const found = new Set<string>();
      if (addresses.length === 0) return found;
      const byHash = new Map<string, { channel: Channel; address: string }[]>();
      for (const a of addresses) {
        const k = `${a.channel}:${addressHash(a.channel, a.address)}`;
        byHash.set(k, [...(byHash.get(k) ?? []), a]);
      }
      const keys = [...byHash.keys()];
      const { rows } = await pool.query<{ channel: Channel; address_hash: string }>(
        `SELECT s.channel, s.address_hash FROM suppressed_addresses s
           JOIN unnest($1::text[], $2::text[]) AS q(channel, address_hash)
             ON s.channel = q.channel AND s.address_hash = q.address_hash`,
        [keys.map((k) => k.slice(0, k.indexOf(':'))), keys.map((k) => k.slice(k.indexOf(':') + 1))],
      );
      for (const row of rows) {
        for (const a of byHash.get(`${row.channel}:${row.address_hash}`) ?? [])
          found.add(suppressionKey(a.channel, a.address));
      }
      return found;
    },
  };
}
