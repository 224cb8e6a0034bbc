import type { FastifyRequest } from 'fastify';
import { adminActor, hashKey, type Admin, type AdminService } from '../admins/admin-service.js';
import { HttpFailure } from './errors.js';

/**
 * Bearer auth for /api (the seed's @login_required). Missing, malformed, unknown, wrong and revoked
 * keys all get the same 401 body, and all of them go through the same verifyKey work (a hash and one
 * indexed lookup, compared in constant time), so neither the body nor the timing tells them apart.
 *
 * A key that verified is trusted for `cacheMs` (API_KEY_CACHE_MS, 1 s by default) in this process
 * without asking the database again: that SELECT was one of the two round trips of a POST /api/orders
 * besides the order's own, on a database that is the API's bottleneck. The price is the revocation
 * delay: a revoked key keeps working for at most `cacheMs` in each process that saw it used just before
 * (no message has to reach the other processes; the bound holds even when Redis is away). Only successes
 * are kept: every failure still does the lookup, so failures stay alike. A hit is found by the key's
 * SHA-256, which tells nothing about any other key; the key itself is not kept.
 */
declare module 'fastify' {
  interface FastifyRequest {
    admin: Admin | null;
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/i; // the scheme name is case-insensitive (RFC 9110)
/** verified keys kept at most: a shop has a handful of admins; past this the cache starts over */
const MAX_CACHED = 1000;

function unauthorized(): HttpFailure {
  return new HttpFailure(401, 'UNAUTHORIZED', 'Missing or invalid API key', undefined, {
    'www-authenticate': 'Bearer realm="quicksell"',
  });
}

/** The actor string the engine records in order_state_history.changed_by. */
export function actorOf(admin: Admin | null): string {
  return admin ? adminActor(admin) : 'api';
}

export function bearerAuth(admins: Pick<AdminService, 'verifyKey'>, opts: { cacheMs?: number } = {}) {
  const cacheMs = opts.cacheMs ?? 0;
  const verified = new Map<string, { admin: Admin; until: number }>();

  async function verify(key: string): Promise<Admin | null> {
    if (cacheMs <= 0) return admins.verifyKey(key);
    const hash = hashKey(key);
    const now = performance.now();
    const hit = verified.get(hash);
    if (hit && hit.until > now) return hit.admin;
    verified.delete(hash);
    const admin = await admins.verifyKey(key);
    if (admin) {
      if (verified.size >= MAX_CACHED) verified.clear();
      // from before the lookup: the bound on a revoke's delay counts the lookup's own time too
      verified.set(hash, { admin, until: now + cacheMs });
    }
    return admin;
  }

  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = BEARER.exec(header);
    // Same work for an absent key as for a wrong one: verify a value no key can equal.
    const admin = await verify(match?.[1] ?? '\u0000');
    if (!match || !admin) throw unauthorized();
    request.admin = admin;
  };
}
