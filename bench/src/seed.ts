import type pg from 'pg';
import type { BenchUser } from './workload';

/** Writes the users and their devices in two statements (arrays unnested server-side). */
export async function insertUsers(pool: pg.Pool, users: readonly BenchUser[]): Promise<void> {
  await pool.query(
    `INSERT INTO users (id, email, phone, locale, timezone)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [
      users.map((u) => u.id),
      users.map((u) => u.email),
      users.map((u) => u.phone),
      users.map((u) => u.locale),
      users.map((u) => u.timezone),
    ],
  );
  const devices = users.flatMap((u) =>
    u.tokens.map((token, i) => ({ userId: u.id, token, platform: i % 2 === 0 ? 'android' : 'ios' })),
  );
  await pool.query(
    `INSERT INTO devices (user_id, token, platform) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
    [devices.map((d) => d.userId), devices.map((d) => d.token), devices.map((d) => d.platform)],
  );
}
