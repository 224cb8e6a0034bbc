import type { RowDataPacket } from 'mysql2';
import type { Db } from './pool.js';

/** What the engine adapts to in the database server, asked once (see order-service.ts). */
export interface ServerTraits {
  /** MariaDB runs anonymous compound statements (BEGIN NOT ATOMIC … END); MySQL does not */
  compoundStatements: boolean;
}

export async function serverTraits(db: Db): Promise<ServerTraits> {
  const [[r]] = await db.query<RowDataPacket[]>(
    'SELECT VERSION() AS version',
  );
  return {
    compoundStatements: /mariadb/i.test(String(r?.version ?? '')),
  };
}
