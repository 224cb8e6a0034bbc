import mysql from 'mysql2/promise';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { tzOffset } from '../time-zone.js';

export { tzOffset };

export type Db = Pool;
export type Conn = PoolConnection;

export interface PoolOptions {
  url: string;
  timeZone: string;
  connectionLimit?: number;
  multipleStatements?: boolean;
}

export function createPool(opts: PoolOptions): Db {
  const offset = tzOffset(opts.timeZone);
  const pool = mysql.createPool({
    uri: opts.url,
    connectionLimit: opts.connectionLimit ?? 10,
    waitForConnections: true,
    timezone: offset,
    // DECIMAL comes back as a string so money is converted exactly (see src/orders/money.ts).
    decimalNumbers: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: false,
    // createOrder sends its whole transaction as one multi-statement query (src/db/sql-batch.ts). Safe
    // because every value is bound by the driver, never spliced into SQL text (STYLE.md rule 8).
    multipleStatements: opts.multipleStatements ?? true,
    charset: 'utf8mb4_unicode_ci',
    connectTimeout: 5000,
    // no stack capture per query: Error.captureStackTrace on every call was 5% of createOrder's CPU in
    // a profile, and what we log of a database error is its code and message with the operation
    trace: false,
  });
  pool.on('connection', (conn) => {
    // Raw (callback) connection: set the session time zone once per physical connection.
    (conn as unknown as { query(sql: string): void }).query(`SET time_zone = '${offset}'`);
  });
  return pool;
}

/** Run fn inside one transaction on one connection; commit on success, roll back on any throw. */
export async function withTransaction<T>(db: Db, fn: (conn: Conn) => Promise<T>, opts: { isolation?: 'READ COMMITTED' } = {}): Promise<T> {
  const conn = await db.getConnection();
  try {
    // applies to this transaction only (SET TRANSACTION without SESSION)
    if (opts.isolation) await conn.query(`SET TRANSACTION ISOLATION LEVEL ${opts.isolation}`);
    await conn.beginTransaction();
    const result = await fn(conn);
    await conn.commit();
    return result;
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

/** Split a mysql:// URL into the server part and the database name. */
export function splitDatabaseUrl(url: string): { serverUrl: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  u.pathname = '/';
  return { serverUrl: u.toString(), database };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
