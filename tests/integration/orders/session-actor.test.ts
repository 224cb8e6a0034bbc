import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, rows, type EngineFixture } from './engine-fixture.js';

/** One pooled connection, so the engine's and the "manual" statements share the session. */
let f: EngineFixture;
beforeAll(() => {
  f = engineFixture({ DB_POOL_SIZE: '1' });
});
afterAll(() => f.close());

const lastChange = async (orderId: number) =>
  (await rows(f.db, 'SELECT to_status, changed_by FROM order_state_history WHERE order_id = ? ORDER BY id DESC LIMIT 1', [orderId]))[0];

describe('the actor of a status change on a pooled connection', () => {
  it('is not inherited by a later manual UPDATE on the same connection', async () => {
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), await makeProduct(f.db)));
    if (!created.success) throw new Error(created.error);
    await f.orders.confirmOrder(created.order.id, undefined, 'admin:Ana');
    expect(await lastChange(created.order.id)).toEqual({ to_status: 'confirmed', changed_by: 'admin:Ana' });
    await f.db.query(`UPDATE orders SET order_status = 'processing' WHERE id = ?`, [created.order.id]);
    expect((await lastChange(created.order.id))!.changed_by).toMatch(/^root@/);
  });

  it('is not inherited after a transition that failed and rolled back', async () => {
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), await makeProduct(f.db)));
    if (!created.success) throw new Error(created.error);
    f.fault.hook = (s) => {
      if (s === 'cancel_after_status') throw new Error('injected');
    };
    await expect(f.orders.cancelOrder(created.order.id, 'x', 'admin:Ben')).rejects.toThrow('injected');
    f.fault.hook = null;
    await f.db.query(`UPDATE orders SET order_status = 'expired' WHERE id = ?`, [created.order.id]);
    const history = await rows(f.db, 'SELECT to_status, changed_by FROM order_state_history WHERE order_id = ? ORDER BY id', [created.order.id]);
    expect(history.map((h) => h.to_status)).toEqual(['pending', 'expired']);
    expect(history[1]!.changed_by).toMatch(/^root@/);
  });
});
