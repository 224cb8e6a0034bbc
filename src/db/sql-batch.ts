import type { RowDataPacket } from 'mysql2';
import type { Conn, Db } from './pool.js';

/**
 * Several statements sent as ONE query: one write and one round trip instead of one per statement
 * (a socket write per statement was a third of createOrder's CPU in a profile, and every round trip
 * inside a transaction holds its row locks longer). Values are bound by the connection's own formatter
 * (its time zone and charset), exactly as conn.query(sql, values) binds them.
 *
 * The server runs the statements in order and stops at the first error: the query rejects with that
 * error and nothing after it runs, so a batch that ends in COMMIT commits only if every statement
 * before it succeeded (the caller rolls back the open transaction on a rejection).
 *
 * compound (MariaDB): the statements run as one anonymous compound statement (BEGIN NOT ATOMIC … END).
 * Plain multi-statement queries make the server send a reply packet per statement, one socket write
 * each (strace: ~13 per createOrder batch); inside a compound statement only result sets are sent.
 * Either way run() returns the result sets only, so a batch reads the same in both modes: what a
 * caller needs from a write (an insert id) it keeps in a session variable and SELECTs at the end.
 */
export class SqlBatch {
  private readonly statements: string[] = [];
  private entries = 0;
  private sets = 0;

  /** on a pool, the statements run on one connection taken for the query (no transaction) */
  constructor(
    private readonly conn: Conn | Db,
    private readonly opts: { compound?: boolean } = {},
  ) {}

  /** a statement whose reply is not needed (DML, SET, transaction control) */
  add(sql: string, values: unknown[] = []): void {
    this.statements.push(this.conn.format(sql, values));
    if (!this.opts.compound) this.entries += 1;
  }

  /**
   * A statement that returns result sets (a SELECT: 1; a CALL: one per SELECT it runs). Returns the
   * index of its first result set in run()'s results.
   */
  select(sql: string, values: unknown[] = [], resultSets = 1): number {
    this.statements.push(this.conn.format(sql, values));
    const isCall = /^\s*CALL\b/i.test(sql);
    // a CALL also ends with an OK packet of its own, except inside a compound statement
    this.entries += resultSets + (isCall && !this.opts.compound ? 1 : 0);
    const at = this.sets;
    this.sets += resultSets;
    return at;
  }

  async run(): Promise<RowDataPacket[][]> {
    if (this.statements.length === 0) return [];
    const body = this.statements.join(';\n');
    const compound = this.opts.compound === true;
    // the compound statement's own OK packet
    const entries = this.entries + (compound ? 1 : 0);
    const [res] = await this.conn.query(compound ? `BEGIN NOT ATOMIC\n${body};\nEND` : body);
    // a single entry comes back bare, several as an array of entries; result sets are arrays, OK packets are not
    const list = entries === 1 ? [res] : (res as unknown[]);
    return list.filter((e): e is RowDataPacket[] => Array.isArray(e));
  }
}
