import type { RowDataPacket } from 'mysql2';
import type { Db } from './pool.js';

/**
 * One SELECT's rows: how a service reads on a hot path without caring whether the statement goes alone
 * (readFrom: a pool's query) or together with what concurrent callers read at the same moment
 * (coalescedReads: orders/group-reads.ts's ReadGroup sends them as ONE multi-statement query, one socket
 * write and one round trip for all of them). Each caller still gets exactly its own rows or its own error.
 */
export type ReadRows = (sql: string, values: unknown[]) => Promise<RowDataPacket[]>;

export const readFrom =
  (db: Pick<Db, 'query'>): ReadRows =>
  async (sql, values) =>
    (await db.query<RowDataPacket[]>(sql, values))[0];

/** reads through a read group (orders/group-reads.ts), one statement per caller */
export const coalescedReads =
  (group: { run(reads: Array<[string, unknown[]]>): Promise<RowDataPacket[][]> }): ReadRows =>
  async (sql, values) =>
    (await group.run([[sql, values]]))[0]!;
