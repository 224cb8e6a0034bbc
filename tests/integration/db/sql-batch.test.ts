import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchPool, type Db } from '../../../src/db/pool.js';
import { serverTraits } from '../../../src/db/server-traits.js';
import { SqlBatch } from '../../../src/db/sql-batch.js';
import { makeProduct, makeUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';

/** Both forms of a batch (plain multi-statement, as on MySQL; compound, as on MariaDB) read the same. */
let db: Db;
beforeAll(async () => {
  const config = testConfig();
  db = createBatchPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 2 });
  // a CALL that returns a result set (the run's database is dropped at the end)
  await db.query('CREATE OR REPLACE PROCEDURE qs_test_batch_call(IN p INT) SELECT p AS p, p + 1 AS q');
});
afterAll(() => db.end());

const count = async (sku: string) => {
  const [[r]] = await db.query<import('mysql2').RowDataPacket[]>('SELECT COUNT(*) AS n FROM products WHERE sku = ?', [sku]);
  return Number(r!.n);
};

it('knows this server runs compound statements (MariaDB)', async () => {
  expect(await serverTraits(db)).toMatchObject({ compoundStatements: true });
});

for (const compound of [false, true]) {
  describe(compound ? 'a compound batch' : 'a plain multi-statement batch', () => {
    it('returns exactly the result sets, in order, including the one of a CALL, and binds values with quotes and ?', async () => {
      const productId = await makeProduct(db, { stock: 5 });
      const userId = await makeUser(db);
      const conn = await db.getConnection();
      try {
        const b = new SqlBatch(conn, { compound });
        b.add('SET @qs_t = ?', ["it's a ? test"]);
        const first = b.select('SELECT @qs_t AS t, ? AS n', [7]);
        b.add('START TRANSACTION');
        b.add(
          `INSERT INTO orders (order_number, user_id, payment_method, subtotal, shipping_fee, total_amount, recipient_name, phone,
             shipping_address, city, province, postal_code, expires_at)
           VALUES (?, ?, 'cod', 1, 0, 1, 'A', '09171234567', 'B', 'C', 'D', '1000', NOW() + INTERVAL 1 DAY)`,
          [`BATCH-${compound}-${Date.now()}`, userId],
        );
        // a CALL with no result set: only its OK packet (none inside a compound statement)
        b.add('CALL sp_reserve_inventory(LAST_INSERT_ID(), ?, ?, NOW() + INTERVAL 1 DAY)', [productId, 1]);
        const reserved = b.select('SELECT reserved_quantity FROM products WHERE id = ?', [productId]);
        b.add('ROLLBACK');
        const call = b.select('CALL qs_test_batch_call(?)', [5]);
        const last = b.select('SELECT 1 AS one UNION ALL SELECT 2');
        const sets = await b.run();
        expect(sets).toHaveLength(4);
        expect(sets[first]).toEqual([{ t: "it's a ? test", n: 7 }]);
        expect(sets[reserved]).toEqual([{ reserved_quantity: 1 }]);
        expect(sets[call]).toEqual([{ p: 5, q: 6 }]);
        expect(sets[last]).toEqual([{ one: 1 }, { one: 2 }]);
      } finally {
        conn.release();
      }
    });

    it('stops at the first failing statement: nothing after it runs, the transaction is left open for the caller to roll back', async () => {
      const sku = `BATCH-${compound}-${Date.now()}`;
      const conn = await db.getConnection();
      try {
        const b = new SqlBatch(conn, { compound });
        b.add('START TRANSACTION');
        b.add(`INSERT INTO products (sku, name, price, stock_quantity) VALUES (?, 'x', 1, 1)`, [sku]);
        b.add(`SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'stop here'`);
        b.add(`INSERT INTO products (sku, name, price, stock_quantity) VALUES (?, 'y', 1, 1)`, [`${sku}-after`]);
        b.add('COMMIT');
        await expect(b.run()).rejects.toThrow('stop here');
        const [[open]] = await conn.query<import('mysql2').RowDataPacket[]>('SELECT @@in_transaction AS t');
        expect(open!.t).toBe(1);
        await conn.rollback();
      } finally {
        conn.release();
      }
      expect(await count(sku)).toBe(0);
      expect(await count(`${sku}-after`)).toBe(0);
    });
  });
}
