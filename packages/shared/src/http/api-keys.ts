import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { HeraldError } from '../errors';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export const API_SCOPES = ['send', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A new key: shown once to whoever created it; only its hash is stored. */
export async function createApiKey(
  pool: pg.Pool,
  name: string,
  scopes: ApiScope[] = ['send'],
): Promise<string> {
  const key = `hk_${randomBytes(24).toString('base64url')}`;
  await pool.query('INSERT INTO api_keys (name, key_hash, scopes) VALUES ($1, $2, $3)', [
    name,
    hashApiKey(key),
    scopes,
  ]);
  return key;
}

export interface ApiPrincipal {
  keyId: string;
  name: string;
  scopes: string[];
}

/**
 * A Fastify onRequest hook for `Authorization: Bearer <api key>` with the given scope. Known keys
 * are cached for a minute so the database is not asked on every request; a revoked key stops
 * working within it.
 */
export function apiKeyAuth(pool: pg.Pool, scope: ApiScope, ttlMs = 60_000, now: () => number = Date.now) {
  const cache = new Map<string, { at: number; principal: ApiPrincipal | null }>();
  const lookup = async (hash: string): Promise<ApiPrincipal | null> => {
    const hit = cache.get(hash);
    if (hit && now() - hit.at < ttlMs) return hit.principal;
    const { rows } = await pool.query<{ id: string; name: string; scopes: string[] }>(
      'SELECT id::text AS id, name, scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const row = rows[0];
    const principal = row ? { keyId: row.id, name: row.name, scopes: row.scopes } : null;
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { at: now(), principal });
    return principal;
  };
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new HeraldError('unauthorized', 'missing API key: send Authorization: Bearer <api key>');
    }
    const principal = await lookup(hashApiKey(match[1]));
    if (!principal) throw new HeraldError('unauthorized', 'unknown or revoked API key');
    if (!principal.scopes.includes(scope)) {
      throw new HeraldError('forbidden', `this API key lacks the ${scope} scope`);
    }
    request.principal = principal;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiPrincipal;
  }
}
