import { afterAll, describe, expect, it } from 'vitest';
import { createPool } from '../../../src/db/pool.js';
import { createCartService } from '../../../src/orders/cart-service.js';
import { makeUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { countedPool } from '../../helpers/counted-pool.js';

/**
 * The checkout answers a customer gives in chat (name, phone, address, …, payment, promo), merged into their
 * open cart's checkout JSON. bench:webhook's journey saves six or seven of them per order: each was a
 * transaction of five round trips on a connection of its own. And the cart shown on the way (cart, summary).
 */
const config = testConfig();
const pool = createPool({ url: config.DATABASE_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 4 });
const counted = countedPool(pool);
const carts = createCartService(counted.db, { maxItemQuantity: 100 });
afterAll(() => pool.end());

describe('when a customer answers the checkout questions', () => {
  it('keeps every answer, the latest of each, and a promo set back to none', async () => {
    const user = await makeUser(pool);
    await carts.saveCheckout(user, { name: 'Juan Dela Cruz' });
    await carts.saveCheckout(user, { phone: '09171234567', city: 'Manila' });
    await carts.saveCheckout(user, { city: 'Quezon City', promo_code: 'SAVE10' });
    await carts.saveCheckout(user, { promo_code: null, payment_method: 'cod' });
    expect(await carts.checkout(user)).toEqual({ name: 'Juan Dela Cruz', phone: '09171234567', city: 'Quezon City', promo_code: null, payment_method: 'cod' });
    expect((await carts.view(user)).checkout).toEqual(await carts.checkout(user));
  });

  it('saves an answer in one statement, with no transaction of its own, once the cart is open', async () => {
    const user = await makeUser(pool);
    await carts.view(user); // the cart the customer has been filling
    counted.reset();
    await carts.saveCheckout(user, { name: 'Maria Clara', phone: '09181234567' });
    // old code: a connection for a transaction, and the cart found, locked, read, written and committed on it
    expect(counted.connections()).toBe(0);
    expect(counted.queries()).toBe(1);
    expect(await carts.checkout(user)).toEqual({ name: 'Maria Clara', phone: '09181234567' });
  });

  it('shows the open cart with its answers in two statements: the cart row, then its lines', async () => {
    const user = await makeUser(pool);
    await carts.saveCheckout(user, { city: 'Cebu City' });
    counted.reset();
    const view = await carts.view(user);
    // old code: the open cart found, then read again by its id, then its lines
    expect(counted.queries()).toBe(2);
    expect(view.checkout).toEqual({ city: 'Cebu City' });
    expect(view.lines).toEqual([]);
  });

  it('opens a cart for a customer who has none, and keeps the answer there', async () => {
    const user = await makeUser(pool);
    await carts.saveCheckout(user, { province: 'Metro Manila' });
    const [rows] = await pool.query<import('mysql2').RowDataPacket[]>(`SELECT COUNT(*) AS n FROM carts WHERE user_id = ? AND status = 'open'`, [user]);
    expect(Number(rows[0]!.n)).toBe(1);
    expect((await carts.view(user)).checkout).toEqual({ province: 'Metro Manila' });
  });

  it('refuses a key that is not a checkout field, and changes nothing', async () => {
    const user = await makeUser(pool);
    await carts.saveCheckout(user, { name: 'Jose' });
    await expect(carts.saveCheckout(user, { ['name"), checkout = ("x' as 'name']: 'y' })).rejects.toThrow(/not a checkout field/);
    expect(await carts.checkout(user)).toEqual({ name: 'Jose' });
  });
});
