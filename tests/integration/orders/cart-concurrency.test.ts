import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../src/db/pool.js';
import { createCartService } from '../../../src/orders/cart-service.js';
import { makeProduct, makeUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';

/**
 * Found by `npm run chaos`: customers adding to their new carts at the same moment deadlocked in MariaDB
 * (the line read FOR UPDATE found no row and took a gap lock at the end of cart_items' unique index; the
 * racing INSERTs then waited on each other's gap), and the customer got "Sorry, something went wrong".
 */
const config = testConfig({ DB_POOL_SIZE: '30' });
const db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 30 });
const carts = createCartService(db, { maxItemQuantity: 100 });
afterAll(() => db.end());

describe('when many customers add to their new carts at the same moment', () => {
  it('adds every line, with no deadlock', async () => {
    const products = [await makeProduct(db, { stock: 500 }), await makeProduct(db, { stock: 500 })];
    for (let round = 0; round < 3; round++) {
      const users = await Promise.all(Array.from({ length: 24 }, () => makeUser(db)));
      const results = await Promise.allSettled(users.map((u, i) => carts.addItem(u, products[i % 2]!, 1)));
      const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason?.code ?? r));
      expect(failed).toEqual([]);
      expect(results.every((r) => r.status === 'fulfilled' && r.value.ok)).toBe(true);
    }
  });

  it('still adds up two adds of the same product to one cart', async () => {
    const product = await makeProduct(db, { stock: 50 });
    const user = await makeUser(db);
    await Promise.all([carts.addItem(user, product, 2), carts.addItem(user, product, 3)]);
    const view = await carts.view(user);
    expect(view.lines.map((l) => l.quantity)).toEqual([5]);
  });
});
