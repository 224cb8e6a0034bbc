import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerTraits } from '../../../src/db/server-traits.js';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, inventoryOf, rows, type EngineFixture } from './engine-fixture.js';

/**
 * createOrder's transaction (START TRANSACTION, CALL sp_place_order, SELECT, COMMIT) goes to the server
 * as one compound statement on MariaDB and as a plain multi-statement query on MySQL. Both forms run
 * here, on this machine's MariaDB, and must write and publish the same things.
 */
const forms: Record<string, ServerTraits> = {
  'compound statement (MariaDB)': { compoundStatements: true },
  'multi-statement query (MySQL)': { compoundStatements: false },
};
const fixtures: EngineFixture[] = [];
afterAll(() => Promise.all(fixtures.map((f) => f.close())));

for (const [name, traits] of Object.entries(forms)) {
  describe(`createOrder sent as a ${name}`, () => {
    const f = engineFixture({}, { serverTraits: traits });
    fixtures.push(f);

    it('writes the order and publishes exactly its outbox rows, the low-stock alert included', async () => {
      const productId = await makeProduct(f.db, { stock: 3, threshold: 1 });
      const userId = await makeUser(f.db, { psid: `psid-${randomUUID()}` });
      const r = await f.orders.createOrder(seedOrderPayload(userId, productId, 2));
      if (!r.success) throw new Error(r.error);
      const id = r.order.id;
      expect(await inventoryOf(f.db, productId)).toEqual({ stock: 3, reserved: 2, held: 2 });
      const notes = await rows(f.db, 'SELECT id, notification_type, payload FROM notification_queue WHERE order_id = ? ORDER BY id', [id]);
      expect(notes.map((n) => n.notification_type)).toEqual(['order_received', 'new_order_admin']);
      expect(notes.every((n) => (n.payload as { order_id: number }).order_id === id)).toBe(true);
      const [low] = await rows(f.db, `SELECT id FROM notification_queue WHERE notification_type = 'low_stock' AND JSON_VALUE(payload, '$.product_id') = ?`, [productId]);
      const [expiry] = await rows(f.db, 'SELECT id FROM order_processing_queue WHERE order_id = ?', [id]);
      // the receipt is sent under the Send API rate limit; the admins' alert and the low-stock alert are fanned out
      expect(f.published).toContainEqual({ notificationIds: [notes[0]!.id], broadcastIds: [notes[1]!.id, low!.id], processingIds: [expiry!.id] });
      const [metric] = await rows(f.db, 'SELECT items_count, inventory_duration_ms, total_processing_duration_ms FROM order_metrics WHERE order_id = ?', [id]);
      expect(metric).toMatchObject({ items_count: 2, inventory_duration_ms: expect.any(Number), total_processing_duration_ms: expect.any(Number) });
    });

    it('rolls back and answers INSUFFICIENT_STOCK when the stock went between the checks and the reservation', async () => {
      const productId = await makeProduct(f.db, { stock: 2 });
      const userId = await makeUser(f.db);
      f.fault.hook = async (step) => {
        // another sale takes the stock after the checks read it, before the batch reserves it
        if (step === 'after_order_insert') await f.db.query('UPDATE products SET stock_quantity = 1 WHERE id = ?', [productId]);
      };
      try {
        const r = await f.orders.createOrder(seedOrderPayload(userId, productId, 2));
        expect(r).toMatchObject({ success: false, code: 'INSUFFICIENT_STOCK', validation_errors: [{ field: 'items.0.quantity', message: expect.stringContaining('Only 1 left') }] });
      } finally {
        f.fault.hook = null;
      }
      expect(await rows(f.db, 'SELECT id FROM orders WHERE user_id = ?', [userId])).toEqual([]);
      expect(await inventoryOf(f.db, productId)).toEqual({ stock: 1, reserved: 0, held: 0 });
    });

    it('answers INVALID_PROMO and writes nothing when the code reached its limit meanwhile', async () => {
      const code = `B${randomUUID().slice(0, 8).toUpperCase()}`;
      await f.db.query(`INSERT INTO promo_codes (code, discount_type, discount_value, usage_limit) VALUES (?, 'fixed', 100, 1)`, [code]);
      const productId = await makeProduct(f.db);
      const userId = await makeUser(f.db);
      f.fault.hook = async (step) => {
        if (step === 'after_outbox') await f.db.query('UPDATE promo_codes SET times_used = 1 WHERE code = ?', [code]);
      };
      try {
        const { subtotal: _s, total_amount: _t, discount_amount: _d, ...payload } = seedOrderPayload(userId, productId, 1);
        const r = await f.orders.createOrder({ ...payload, promo_code: code });
        expect(r).toMatchObject({ success: false, code: 'INVALID_PROMO' });
      } finally {
        f.fault.hook = null;
      }
      expect(await rows(f.db, 'SELECT id FROM orders WHERE user_id = ?', [userId])).toEqual([]);
      expect(await rows(f.db, 'SELECT times_used FROM promo_codes WHERE code = ?', [code])).toEqual([{ times_used: 1 }]);
    });
  });
}
