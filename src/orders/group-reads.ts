import type { RowDataPacket } from 'mysql2';
import type { Db } from '../db/pool.js';
import { SqlBatch } from '../db/sql-batch.js';
import { createCoalescer } from '../db/coalesce.js';

/**
 * The checks' reads of concurrent orders (order-checks.ts: the buyer with their fraud facts, the
 * products, the promo) coalesced like their writes (group-commit.ts): reads that arrive while a batch
 * of reads is out wait for it and then go together, as ONE multi-statement query: one round trip, one
 * command for the server to dispatch, one reply to wake the pool for, instead of one per order. Nothing
 * is shared between orders but the trip: each order still reads its own rows, from the database, at
 * the moment its batch runs (plain reads, no transaction, no locks; the reservation in the write is
 * what guards stock).
 *
 * A batch that fails (a statement's error stops the server at that statement) is run again one order
 * at a time, so an order gets exactly the rows or the error it would have got alone.
 */
export type Read = [sql: string, values: unknown[]];

export interface ReadGroup {
  /** the result sets of `reads`, one per statement, in order */
  run(reads: Read[]): Promise<RowDataPacket[][]>;
}

interface Member {
  reads: Read[];
  resolve(sets: RowDataPacket[][]): void;
  reject(err: unknown): void;
}

/** orders per batch: the pool's callers at most; each order adds 2-4 short SELECTs */
const MAX_GROUP = 32;
/** batches out at once: while one is at the server the next gathers */
const MAX_IN_FLIGHT = 2;

export function createReadGroup(db: Db): ReadGroup {
  const join = createCoalescer<Member>({ maxGroup: MAX_GROUP, maxInFlight: MAX_IN_FLIGHT, run: runMembers });

  async function runMembers(members: Member[]): Promise<void> {
    try {
      const sets = await batch(db, members.flatMap((m) => m.reads));
      let at = 0;
      for (const m of members) {
        m.resolve(sets.slice(at, at + m.reads.length));
        at += m.reads.length;
      }
    } catch (err) {
      if (members.length === 1) return members[0]!.reject(err);
      // whose statement failed is not told apart: each order reads again alone
      await Promise.all(members.map((m) => batch(db, m.reads).then(m.resolve, m.reject)));
    }
  }

  return {
    run(reads) {
      return new Promise((resolve, reject) => join({ reads, resolve, reject }));
    },
  };
}

async function batch(db: Db, reads: Read[]): Promise<RowDataPacket[][]> {
  const b = new SqlBatch(db);
  for (const [sql, values] of reads) b.select(sql, values);
  return b.run();
}
