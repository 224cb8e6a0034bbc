import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Db } from '../db/pool.js';
import { readFrom, type ReadRows } from '../db/read-rows.js';

/**
 * Admins: API keys are stored only as SHA-256 hashes (keys are 32 random bytes, so a plain hash is
 * enough); a Messenger PSID makes the admin reachable in chat. ADMIN_API_KEY / ADMIN_PSIDS from the
 * config are a bootstrap root admin that needs no row.
 */
export interface Admin {
  id: number | null; // null for the config bootstrap admin
  name: string;
  psid: string | null;
}

export interface AdminConfig {
  ADMIN_API_KEY?: string | undefined;
  ADMIN_PSIDS: string[];
}

const ROOT: Admin = { id: null, name: 'root', psid: null };

/** How an admin is named in order_state_history.changed_by: admin:<id>, or admin:<name> for a config admin. */
export const adminActor = (admin: Admin): string => `admin:${admin.id ?? admin.name}`;

/** The key prefix that marks the demo admin's row (simulator mode). */
export const DEMO_KEY_PREFIX = 'qs_demo';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `read`: how findByPsid (asked at the start of every chat turn) reads; default alone (db/read-rows.ts) */
export function createAdminService(db: Db, config: AdminConfig, read: ReadRows = readFrom(db)) {
  const rootHash = config.ADMIN_API_KEY ? Buffer.from(hashKey(config.ADMIN_API_KEY), 'hex') : null;

  return {
    /** Returns the admin a key belongs to, or null. Same work for unknown and wrong keys. */
    async verifyKey(key: string): Promise<Admin | null> {
      const hash = hashKey(key);
      const given = Buffer.from(hash, 'hex');
      const rootMatch = rootHash !== null && timingSafeEqual(given, rootHash);
      const [rows] = await db.query<RowDataPacket[]>(
        `SELECT id, name, psid, api_key_hash,
           (last_used_at IS NULL OR last_used_at < NOW() - INTERVAL 1 MINUTE) AS stale
         FROM admins WHERE api_key_hash = ? AND revoked_at IS NULL`,
        [hash],
      );
      const row = rows[0];
      if (row && timingSafeEqual(given, Buffer.from(row.api_key_hash as string, 'hex'))) {
        // last_used_at to the minute: one write a minute per admin, not one per request on one hot row
        if (Number(row.stale)) await db.query('UPDATE admins SET last_used_at = CURRENT_TIMESTAMP WHERE id = ?', [row.id]);
        return { id: Number(row.id), name: row.name as string, psid: (row.psid as string | null) ?? null };
      }
      return rootMatch ? ROOT : null;
    },

    /** The admin behind a Messenger PSID (admins table or ADMIN_PSIDS), or null. */
    async findByPsid(psid: string): Promise<Admin | null> {
      const rows = await read('SELECT id, name, psid FROM admins WHERE psid = ? AND revoked_at IS NULL', [psid]);
      const row = rows[0];
      if (row) return { id: Number(row.id), name: row.name as string, psid };
      return config.ADMIN_PSIDS.includes(psid) ? { id: null, name: `admin ${psid.slice(-4)}`, psid } : null;
    },

    /** Every admin PSID to alert: the admins table's and ADMIN_PSIDS, without duplicates. */
    async listPsids(): Promise<string[]> {
      const [rows] = await db.query<RowDataPacket[]>(
        'SELECT psid FROM admins WHERE psid IS NOT NULL AND revoked_at IS NULL ORDER BY id',
      );
      return [...new Set([...rows.map((r) => r.psid as string), ...config.ADMIN_PSIDS])];
    },

    /** Creates an admin; the clear key is returned once and never stored. */
    async create(name: string, psid?: string | null): Promise<{ id: number; key: string }> {
      const key = `qs_${randomBytes(32).toString('base64url')}`;
      const [res] = await db.query<ResultSetHeader>(
        'INSERT INTO admins (name, api_key_hash, key_prefix, psid) VALUES (?, ?, ?, ?)',
        [name, hashKey(key), key.slice(0, 10), psid ?? null],
      );
      return { id: res.insertId, key };
    },

    async list(): Promise<Array<{ id: number; name: string; psid: string | null; key_prefix: string; revoked: boolean; created_at: Date }>> {
      const [rows] = await db.query<RowDataPacket[]>(
        'SELECT id, name, psid, key_prefix, revoked_at, created_at FROM admins ORDER BY id',
      );
      return rows.map((r) => ({
        id: Number(r.id),
        name: r.name as string,
        psid: (r.psid as string | null) ?? null,
        key_prefix: r.key_prefix as string,
        revoked: r.revoked_at !== null,
        created_at: r.created_at as Date,
      }));
    },

    /**
     * Simulator mode only: a fresh random key for the demo admin (a row of its own, key prefix 'qs_demo'),
     * shown on the start-up banner and the loopback-only simulator page so the queues dashboard opens
     * without a trip to the terminal. Each call replaces the previous demo key.
     */
    async issueDemoKey(psid: string | null): Promise<string> {
      const key = `${DEMO_KEY_PREFIX}_${randomBytes(32).toString('base64url')}`;
      const [res] = await db.query<ResultSetHeader>(
        'UPDATE admins SET api_key_hash = ?, revoked_at = NULL WHERE key_prefix = ?',
        [hashKey(key), DEMO_KEY_PREFIX],
      );
      if (res.affectedRows === 0) {
        await db.query('INSERT INTO admins (name, api_key_hash, key_prefix, psid) VALUES (?, ?, ?, ?)', ['Demo admin', hashKey(key), DEMO_KEY_PREFIX, psid]);
      }
      return key;
    },

    /** With a Page token there is no demo key: one left from an earlier demo run stops working. */
    async revokeDemoKeys(): Promise<number> {
      const [res] = await db.query<ResultSetHeader>(
        'UPDATE admins SET revoked_at = CURRENT_TIMESTAMP WHERE key_prefix = ? AND revoked_at IS NULL',
        [DEMO_KEY_PREFIX],
      );
      return res.affectedRows;
    },

    async revoke(id: number): Promise<boolean> {
      const [res] = await db.query<ResultSetHeader>(
        'UPDATE admins SET revoked_at = CURRENT_TIMESTAMP WHERE id = ? AND revoked_at IS NULL',
        [id],
      );
      return res.affectedRows === 1;
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
