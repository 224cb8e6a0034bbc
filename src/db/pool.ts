import mysql from 'mysql2/promise';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { fixedOffset, tzOffset } from '../time-zone.js';

export { tzOffset };

export type Db = Pool;
export type Conn = PoolConnection;

export interface PoolOptions {
  url: string;
  timeZone: string;
  connectionLimit?: number;
  /** only for the createOrder batch's own pool (createBatchPool); every other pool refuses them */
  multipleStatements?: boolean;
}

/**
 * The sql_mode every session runs with, whatever the server's global default: what our SQL relies on
 * (strict writes) and, above all, what mysql2's client-side escaping relies on. mysql2 escapes a quote
 * as \' without knowing the session's mode; under NO_BACKSLASH_ESCAPES that backslash is a plain
 * character, the quote ends the string and the rest of a value runs as SQL. Valid on MariaDB and MySQL 8.
 */
export const SESSION_SQL_MODE = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

export class SessionPinError extends Error {
  override name = 'SessionPinError';
}

/** Raw (callback) connection, as the pool's 'connection' event hands it out. */
interface RawConnection {
  query(sql: string, cb: (err: Error | null) => void): void;
}

/**
 * Pin sql_mode and time zone on a new physical connection, before any query of ours runs on it (the
 * pool emits 'connection' before handing the connection out, and a connection runs its commands in
 * order). If the pin fails, the error is thrown inside mysql2's packet handler, which treats it as
 * fatal: the connection is dropped from the pool and every query queued on it rejects with this
 * SessionPinError. Nothing ever runs on a session whose mode is not pinned.
 */
function pinSession(conn: RawConnection, offset: string): void {
  let failed = false;
  conn.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = '${offset}'`, (err) => {
    // the connection itself died (a reset, MariaDB restarting): mysql2 is closing it and rejects every query
    // queued on it with that error (an outage, retried). A throw here would escape mysql2's network-error
    // handler as an uncaught exception, and stop it before it tells the queued queries (they would hang).
    if ((err as { fatal?: boolean } | null)?.fatal) return;
    if (!err || failed) return;
    failed = true;
    // the cause keeps the driver's code: a connection lost here is an outage (src/db/outage.ts), retried
    throw new SessionPinError(`could not pin the session's sql_mode and time zone: ${err.message}`, { cause: err });
  });
}

/** The pool every query uses: one statement per query (a second one in a value is a syntax error). */
export function createPool(opts: PoolOptions): Db {
  // one offset for the pool's life: right because config admits only zones without daylight saving
  const offset = fixedOffset(opts.timeZone);
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
    // off except on the createOrder batch's own pool (createBatchPool): a value that ever escaped its
    // quotes could then not start a second statement anywhere else
    multipleStatements: opts.multipleStatements ?? false,
    charset: 'utf8mb4_unicode_ci',
    connectTimeout: 5000,
    // no stack capture per query: Error.captureStackTrace on every call was 5% of createOrder's CPU in
    // a profile, and what we log of a database error is its code and message with the operation
    trace: false,
  });
  pool.on('connection', (conn) => pinSession(conn as unknown as RawConnection, offset));
  return pool;
}

/**
 * The pool of the createOrder batch (src/db/sql-batch.ts: its reads and its one-round-trip
 * transaction), the only queries sent as several statements. Values are bound by the driver with the
 * session's sql_mode pinned (pinSession), never spliced into SQL text.
 */
export function createBatchPool(opts: Omit<PoolOptions, 'multipleStatements'>): Db {
  return createPool({ ...opts, multipleStatements: true });
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
