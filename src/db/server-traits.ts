import type { RowDataPacket } from 'mysql2';
import type { Db } from './pool.js';

/** What the engine adapts to in the database server, asked once (see order-service.ts). */
export interface ServerTraits {
  /**
   * The id step of a multi-row INSERT, or null when the ids of one statement may not be consecutive
   * (innodb_autoinc_lock_mode 0 or 1 hands out first, first + step, ...; mode 2, MySQL 8's default,
   * may interleave them with other sessions').
   */
  idStep: number | null;
  /** MariaDB runs anonymous compound statements (BEGIN NOT ATOMIC … END); MySQL does not */
  compoundStatements: boolean;
}

export async function serverTraits(db: Db): Promise<ServerTraits> {
  const [[r]] = await db.query<RowDataPacket[]>(
    'SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step, VERSION() AS version',
  );
  return {
    idStep: r && Number(r.mode) <= 1 ? Number(r.step) : null,
    compoundStatements: /mariadb/i.test(String(r?.version ?? '')),
  };
}
