import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Db } from '../db/pool.js';
import { HttpFailure } from './errors.js';
import { actorOf } from './auth.js';

/**
 * Idempotency-Key on POST /api/*: the first request with a key claims a row (unique key, so of two
 * concurrent requests exactly one wins); the others wait for its answer and get the same response back.
 * The same key with a different request is a 409. Rows live in MySQL next to the orders they guard.
 * A 5xx is not remembered (the client may retry it). The claiming request also gets `requestKey` (a hash of
 * admin, key and request) that the route hands to the engine, which stores it on the order in the order's
 * own transaction: if the process dies after that commit but before the answer is stored here, the retry
 * runs again and the engine returns the same order.
 * The claim is a lease: the running request renews `updated_at` every third of IDEMPOTENCY_LEASE_MS, so a
 * claim idle for longer than the lease belongs to a request that died with its process, and a retry takes
 * it over within seconds (not minutes).
 */
declare module 'fastify' {
  interface FastifyRequest {
    idempotencyToken?: string;
    /** set while this request holds an Idempotency-Key: what the route passes as the engine's idempotency_key */
    idempotencyRequestKey?: string;
    /** renews the claim's lease while the request runs */
    idempotencyLease?: NodeJS.Timeout;
  }
}

export const KEY_TTL_HOURS = 24;

// ? = scope, key_hash, request_hash, owner_token
const INSERT_KEY = 'INSERT INTO idempotency_keys (scope, key_hash, request_hash, owner_token) VALUES (?, ?, ?, ?)';
// ? = scope, key_hash
const SELECT_KEY = `SELECT id, request_hash, owner_token, status, response_status, response_body,
  TIMESTAMPDIFF(MICROSECOND, updated_at, NOW(3)) DIV 1000 AS idle_ms, TIMESTAMPDIFF(HOUR, created_at, NOW()) AS age_hours
  FROM idempotency_keys WHERE scope = ? AND key_hash = ?`;
// ? = new owner_token, id, old owner_token
const TAKE_OVER = `UPDATE idempotency_keys SET owner_token = ?, updated_at = NOW(3)
  WHERE id = ? AND owner_token = ? AND status = 'in_progress'`;
// ? = owner_token: the request still runs (lease renewal)
const RENEW = "UPDATE idempotency_keys SET updated_at = NOW(3) WHERE owner_token = ? AND status = 'in_progress'";
// ? = response_status, response_body, owner_token
const COMPLETE = `UPDATE idempotency_keys SET status = 'completed', response_status = ?, response_body = ?
  WHERE owner_token = ? AND status = 'in_progress'`;
// ? = owner_token
const RELEASE = "DELETE FROM idempotency_keys WHERE owner_token = ? AND status = 'in_progress'";
// ? = id
const DELETE_EXPIRED = 'DELETE FROM idempotency_keys WHERE id = ?';
// ? = batch size
const PURGE_EXPIRED = `DELETE FROM idempotency_keys WHERE created_at < NOW() - INTERVAL ${KEY_TTL_HOURS} HOUR LIMIT ?`;

const DEFAULT_LEASE_MS = 10_000;
/** About one claim in PURGE_EVERY also deletes a batch of expired keys, so the table stays bounded. */
const PURGE_EVERY = 500;
const WAIT_MS = 10_000;
const POLL_MS = 25;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

type Begin =
  | { kind: 'claimed'; token: string }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'mismatch' }
  | { kind: 'busy' };

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** JSON with object keys sorted, so {a,b} and {b,a} are the same request. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** What makes two requests "the same": method, route, path parameters and body (key order aside). */
export function requestFingerprint(method: string, route: string, params: unknown, body: unknown): string {
  return sha256(`${method} ${route} ${canonicalJson(params)} ${canonicalJson(body)}`);
}

export function idempotencyKeyHash(key: string): string {
  return sha256(key);
}

/**
 * One request under one admin's key, for the engine's orders.idempotency_key: another admin's same key, or
 * the same key with another request (e.g. once this row was released after a 5xx or expired), never matches.
 */
export function idempotencyRequestKey(scope: string, keyHash: string, requestHash: string): string {
  return sha256(`${scope}\n${keyHash}\n${requestHash}`);
}

export function createIdempotency(db: Db, opts: { leaseMs?: number } = {}) {
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;

  /** Deletes up to `batch` keys older than KEY_TTL_HOURS; returns how many went. */
  async function purgeExpired(batch = 1000): Promise<number> {
    const [res] = await db.query<ResultSetHeader>(PURGE_EXPIRED, [batch]);
    return res.affectedRows;
  }

  async function begin(scope: string, keyHash: string, requestHash: string): Promise<Begin> {
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      try {
        await db.query(INSERT_KEY, [scope, keyHash, requestHash, token]);
        if (Math.random() * PURGE_EVERY < 1) void purgeExpired().catch(() => undefined);
        return { kind: 'claimed', token };
      } catch (err) {
        if ((err as { errno?: number }).errno !== 1062) throw err;
      }
      const [rows] = await db.query<RowDataPacket[]>(SELECT_KEY, [scope, keyHash]);
      const row = rows[0];
      if (!row) continue; // released between our insert and select: claim it again
      if (Number(row.age_hours) >= KEY_TTL_HOURS) {
        await db.query(DELETE_EXPIRED, [row.id]);
        continue;
      }
      if (row.request_hash !== requestHash) return { kind: 'mismatch' };
      if (row.status === 'completed') return { kind: 'replay', status: Number(row.response_status), body: String(row.response_body) };
      if (Number(row.idle_ms) > leaseMs) {
        const [res] = await db.query<ResultSetHeader>(TAKE_OVER, [token, row.id, row.owner_token]);
        if (res.affectedRows === 1) return { kind: 'claimed', token };
      }
      if (Date.now() > deadline) return { kind: 'busy' };
      await sleep(POLL_MS);
    }
  }

  return {
    purgeExpired,
    /** preHandler: claims the key, or answers with the first response, or refuses. */
    async preHandler(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const key = request.headers['idempotency-key'];
      if (request.method !== 'POST' || key === undefined) return;
      if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
        const message = 'Idempotency-Key must be 1-255 printable ASCII characters';
        throw new HttpFailure(400, 'VALIDATION_FAILED', message, [{ field: 'idempotency-key', message, code: 'INVALID_FORMAT' }]);
      }
      const fingerprint = requestFingerprint(request.method, request.routeOptions.url ?? request.url, request.params, request.body);
      const scope = actorOf(request.admin);
      const keyHash = idempotencyKeyHash(key);
      const result = await begin(scope, keyHash, fingerprint);
      if (result.kind === 'claimed') {
        request.idempotencyToken = result.token;
        const token = result.token;
        request.idempotencyLease = setInterval(() => {
          db.query(RENEW, [token]).catch((err: unknown) => request.log.warn({ err }, 'could not renew the Idempotency-Key lease'));
        }, Math.floor(leaseMs / 3));
        request.idempotencyLease.unref();
        request.idempotencyRequestKey = idempotencyRequestKey(scope, keyHash, fingerprint);
      } else if (result.kind === 'replay') {
        await reply.code(result.status).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(result.body);
      } else if (result.kind === 'mismatch') {
        throw new HttpFailure(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request');
      } else {
        throw new HttpFailure(409, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed', undefined, {
          'retry-after': '1',
        });
      }
    },

    /** onSend: remember the answer (or forget the key after a 5xx, so a retry runs again). */
    async onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
      stopLease(request);
      const token = request.idempotencyToken;
      if (!token) return payload;
      request.idempotencyToken = undefined;
      try {
        if (reply.statusCode >= 500 || typeof payload !== 'string') await db.query(RELEASE, [token]);
        else await db.query(COMPLETE, [reply.statusCode, payload, token]);
      } catch (err) {
        // The answer is true (the order exists): send it. A retry then waits, or once the lease lapses runs
        // again and gets the same order back from the engine (the order carries idempotencyRequestKey).
        request.log.error({ err }, 'could not record the Idempotency-Key answer');
      }
      return payload;
    },

    /** onResponse: the lease never outlives its request (onSend stops it already; this covers aborts). */
    async onResponse(request: FastifyRequest): Promise<void> {
      stopLease(request);
    },
  };
}

function stopLease(request: FastifyRequest): void {
  if (request.idempotencyLease) clearInterval(request.idempotencyLease);
  request.idempotencyLease = undefined;
}

export type Idempotency = ReturnType<typeof createIdempotency>;
