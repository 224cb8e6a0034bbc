import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProduct, makeUser, seedOrderPayload } from '../../helpers/factories.js';
import { engineFixture, rows, type EngineFixture } from './engine-fixture.js';

/** Tongatapu is UTC+13 (MariaDB's largest offset): its date differs from the server's (UTC) for most of the day. */
const ZONE = 'Pacific/Tongatapu';
let f: EngineFixture;
beforeAll(() => {
  f = engineFixture({ SHOP_TIMEZONE: ZONE });
});
afterAll(() => f.close());

describe("the shop's time zone, whatever the server's", () => {
  it('dates order numbers and the daily view in SHOP_TIMEZONE', async () => {
    const created = await f.orders.createOrder(seedOrderPayload(await makeUser(f.db), await makeProduct(f.db)));
    if (!created.success) throw new Error(created.error);
    const shopDate = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date()).replaceAll('-', '');
    expect(created.order.order_number.slice(4, 12)).toBe(shopDate);
    const [today] = await rows(f.db, `SELECT DATE_FORMAT(CURDATE(), '%Y%m%d') AS d`);
    expect(today!.d).toBe(shopDate);
    const [mine] = await rows(f.db, `SELECT DATE_FORMAT(DATE(created_at), '%Y%m%d') AS d FROM orders WHERE id = ?`, [created.order.id]);
    expect(mine!.d).toBe(shopDate);
    const [summary] = await rows(f.db, 'SELECT total_orders FROM vw_daily_order_summary WHERE order_date = CURDATE()');
    expect(Number(summary!.total_orders)).toBeGreaterThanOrEqual(1);
  });
});
