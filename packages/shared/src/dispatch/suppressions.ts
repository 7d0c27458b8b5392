import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { addressHash } from '../domain/policy';
import type { Channel } from '../domain/types';

/** An address a provider said cannot receive: a hard bounce, an invalid number, a dead token. */
export interface Suppression {
  channel: Channel;
  address: string;
  /** Whose address it was: the router forgets its cached profile. */
  userId: string | null;
  /** The provider's word for it (`twilio:21610`, `fcm:UNREGISTERED`, `sendgrid:bounce`). */
  reason: string;
  /** Who found it out: `dispatcher-sms`, `webhook-sendgrid`. */
  source: string;
}

/**
 * Writes suppressions where the router's consent step reads them (`suppressed_addresses`, by
 * address hash: the address itself is not stored). A push token is also marked invalidated on its
 * device, so it leaves the user's profile. Suppressions asked for in the same turn share one
 * statement of each kind.
 */
export interface SuppressionWriter {
  suppress(s: Suppression): Promise<void>;
}

/** The SQL, for a whole batch: one INSERT, and one UPDATE when there are push tokens. */
export async function writeSuppressions(pool: Pool, items: readonly Suppression[]): Promise<void> {
  if (items.length === 0) return;
  await pool.query(
    `INSERT INTO suppressed_addresses (channel, address_hash, reason, source)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (channel, address_hash) DO NOTHING`,
    [
      items.map((s) => s.channel),
      items.map((s) => addressHash(s.channel, s.address)),
      items.map((s) => s.reason),
      items.map((s) => s.source),
    ],
  );
  const tokens = items.filter((s) => s.channel === 'PUSH').map((s) => s.address);
  if (tokens.length > 0) {
    await pool.query(
      `UPDATE devices SET invalidated_at = now(), updated_at = now()
        WHERE token = ANY($1::text[]) AND invalidated_at IS NULL`,
      [tokens],
    );
  }
}

/**
 * `onWritten` hears the users whose addresses were suppressed, once they are written (the
 * dispatchers announce them, so the router's profile cache forgets them).
 */
export function pgSuppressionWriter(
  pool: Pool,
  onWritten: (userIds: string[]) => Promise<void> = () => Promise.resolve(),
): SuppressionWriter {
  const loader = new DataLoader<Suppression, void>(
    async (items) => {
      await writeSuppressions(pool, items);
      const users = [...new Set(items.flatMap((s) => (s.userId === null ? [] : [s.userId])))];
      if (users.length > 0) await onWritten(users);
      return items.map(() => undefined);
    },
    { cache: false, maxBatchSize: 500 },
  );
  return { suppress: (s) => loader.load(s) };
}
