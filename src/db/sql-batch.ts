import type { Conn, Db } from './pool.js';

/**
 * Several statements sent as ONE multi-statement query: one write and one round trip instead of one per
 * statement (a socket write per statement was a third of createOrder's CPU in a profile, and every round
 * trip inside a transaction holds its row locks longer). Values are bound by the connection's own
 * formatter (its time zone and charset), exactly as conn.query(sql, values) binds them.
 *
 * The server runs the statements in order and stops at the first error: the query rejects with that
 * error and nothing after it runs, so a batch that ends in COMMIT commits only if every statement
 * before it succeeded (the caller rolls back the open transaction on a rejection).
 */
export class SqlBatch {
  private readonly statements: string[] = [];
  private entries = 0;

  /** on a pool, the statements run on one connection taken for the query (no transaction) */
  constructor(private readonly conn: Conn | Db) {}

  /**
   * Add one statement and return the index of its first entry in run()'s results. A statement yields
   * one entry (an OK packet or a result set); a CALL yields one per SELECT it runs, then its OK packet:
   * pass that count as `entries`.
   */
  add(sql: string, values: unknown[] = [], entries = 1): number {
    this.statements.push(this.conn.format(sql, values));
    const at = this.entries;
    this.entries += entries;
    return at;
  }

  get size(): number {
    return this.statements.length;
  }

  async run(): Promise<unknown[]> {
    if (this.statements.length === 0) return [];
    const [res] = await this.conn.query(this.statements.join(';\n'));
    // a single entry comes back bare, several as an array of entries
    return this.entries === 1 ? [res] : (res as unknown[]);
  }
}
