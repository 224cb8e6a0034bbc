import type { FastifyRequest } from 'fastify';
import { adminActor, type Admin, type AdminService } from '../admins/admin-service.js';
import { HttpFailure } from './errors.js';

/**
 * Bearer auth for /api (the seed's @login_required). Missing, malformed, unknown, wrong and revoked
 * keys all get the same 401 body, and all of them go through the same verifyKey work (a hash and one
 * indexed lookup, compared in constant time), so neither the body nor the timing tells them apart.
 */
declare module 'fastify' {
  interface FastifyRequest {
    admin: Admin | null;
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/i; // the scheme name is case-insensitive (RFC 9110)

function unauthorized(): HttpFailure {
  return new HttpFailure(401, 'UNAUTHORIZED', 'Missing or invalid API key', undefined, {
    'www-authenticate': 'Bearer realm="quicksell"',
  });
}

/** The actor string the engine records in order_state_history.changed_by. */
export function actorOf(admin: Admin | null): string {
  return admin ? adminActor(admin) : 'api';
}

export function bearerAuth(admins: AdminService) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization ?? '';
    const match = BEARER.exec(header);
    // Same work for an absent key as for a wrong one: verify a value no key can equal.
    const admin = await admins.verifyKey(match?.[1] ?? '\u0000');
    if (!match || !admin) throw unauthorized();
    request.admin = admin;
  };
}
