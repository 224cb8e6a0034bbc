import type { Conn, Db } from '../db/pool.js';

/**
 * The engine's transaction runner: one connection, BEGIN … COMMIT, roll back on any throw, retry the
 * whole unit on a deadlock (InnoDB picked us as the victim; nothing of ours was kept). The history
 * triggers consume @qs_actor/@qs_reason (migration 002); after a failure, when a trigger may not have run,
 * they are reset before the connection goes back to the pool, so nobody inherits our actor.
 */
const DEADLOCK = 1213;
const MAX_ATTEMPTS = 4;

export async function runTx<T>(db: Db, fn: (conn: Conn) => Promise<T>, opts: { batched?: boolean } = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const conn = await db.getConnection();
    try {
      // batched: fn starts and commits the transaction itself, in a SqlBatch (see src/db/sql-batch.ts)
      if (!opts.batched) await conn.beginTransaction();
      const result = await fn(conn);
      if (!opts.batched) await conn.commit();
      conn.release();
      return result;
    } catch (err) {
      try {
        await conn.rollback();
        await conn.query('SET @qs_actor = NULL, @qs_reason = NULL, @qs_low_stock_ids = NULL');
        conn.release();
      } catch {
        conn.destroy();
      }
      if (errno(err) === DEADLOCK && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** Who and why for the order_state_history trigger; set right before a status write on this connection. */
export async function setActor(conn: Conn, actor: string, reason: string | null): Promise<void> {
  await conn.query('SET @qs_actor = ?, @qs_reason = ?', [actor.slice(0, 100), reason ? reason.slice(0, 500) : null]);
}

/** Start collecting the 'low_stock' rows the products trigger queues (see migration 002). */
export async function clearLowStockIds(conn: Conn): Promise<void> {
  await conn.query('SET @qs_low_stock_ids = NULL');
}

/** Ids of 'low_stock' rows the products trigger queued since clearLowStockIds. */
export async function takeLowStockIds(conn: Conn): Promise<number[]> {
  const [rows] = await conn.query<import('mysql2').RowDataPacket[]>('SELECT @qs_low_stock_ids AS ids');
  return parseIds(rows[0]?.ids);
}

/** '12,15' (or 12) → [12, 15] */
export function parseIds(v: unknown): number[] {
  const ids = String(v ?? '');
  return ids ? ids.split(',').map(Number).filter((n) => n > 0) : [];
}

export function errno(err: unknown): number | undefined {
  return (err as { errno?: number } | null)?.errno;
}

export function isDuplicateKey(err: unknown, keyName?: string): boolean {
  if (errno(err) !== 1062) return false;
  return keyName ? String((err as Error).message).includes(keyName) : true;
}

/** A CHECK constraint refused a write (MariaDB 4025, MySQL 3819); the message names the constraint. */
export function isCheckViolation(err: unknown, constraint: string): boolean {
  const n = errno(err);
  return (n === 4025 || n === 3819) && String((err as Error).message).includes(constraint);
}

/** SIGNAL SQLSTATE '45000' from our procedures/triggers: the message starts with a code ('INSUFFICIENT_STOCK:12'). */
export function signalOf(err: unknown): { code: string; arg: string } | null {
  if (errno(err) !== 1644) return null;
  const m = /^([A-Z_]+):\s*(.*)$/.exec(String((err as Error).message));
  return m ? { code: m[1]!, arg: m[2]! } : null;
}
