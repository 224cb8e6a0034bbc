import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Db } from '../../../src/db/pool.js';
import { createCartService } from '../../../src/orders/cart-service.js';
import { makeProduct, makeUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';

let db: Db;
beforeAll(() => {
  const config = testConfig({ DB_POOL_SIZE: '20' });
  db = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
});
afterAll(() => db.end());

describe('when many new shoppers add their first item at the same moment', () => {
  it('every add succeeds (their new carts and lines share index gaps: InnoDB deadlocks are retried)', async () => {
    const carts = createCartService(db, { maxItemQuantity: 10 });
    const productId = await makeProduct(db, { stock: 1000, price: '100.00' });
    for (let round = 0; round < 5; round++) {
      const users = await Promise.all(Array.from({ length: 16 }, () => makeUser(db, { psid: `cart-${randomUUID()}` })));
      const results = await Promise.all(users.map((u) => carts.addItem(u, productId, 1)));
      expect(results.every((r) => r.ok)).toBe(true);
      const views = await Promise.all(users.map((u) => carts.view(u)));
      expect(views.map((v) => v.lines.map((l) => l.quantity))).toEqual(users.map(() => [1]));
    }
  });
});
