import { describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { createPool, type Db } from '../../../src/db/pool.js';
import { seedDemoShop } from '../../../src/simulator/demo-seed.js';
import { demoImageSvg } from '../../../src/simulator/demo-catalog.js';
import { SIMULATOR_ADMIN_PSID } from '../../../src/simulator/identities.js';
import { createAdminService } from '../../../src/admins/admin-service.js';
import { ownDatabase, useOwnDatabase } from './own-database.js';

const config = { publicUrl: 'http://localhost:3000', ADMIN_PSIDS: [] as string[], CURRENCY: 'PHP' };

async function rows(db: Db, sql: string): Promise<RowDataPacket[]> {
  const [r] = await db.query<RowDataPacket[]>(sql);
  return r;
}

describe('the demo shop seed on an empty database', () => {
  const own = useOwnDatabase();

  it('adds a dozen active products in stock, each with a picture the simulator serves', async () => {
    const report = await seedDemoShop(own.db, config);
    expect(report.products).toBe(12);
    const products = await rows(own.db, 'SELECT name, price, stock_quantity, status, category, image_url FROM products');
    expect(products).toHaveLength(12);
    expect(new Set(products.map((p) => p.category)).size).toBeGreaterThanOrEqual(3);
    for (const p of products) {
      expect(p.status).toBe('active');
      expect(Number(p.stock_quantity)).toBeGreaterThan(0);
      expect(Number(p.price)).toBeGreaterThan(0);
      const m = /^http:\/\/localhost:3000\/simulator\/images\/([a-z0-9-]+)\.svg$/.exec(p.image_url as string);
      expect(m, `image_url of ${p.name}`).not.toBeNull();
      expect(demoImageSvg(m![1]!)).toContain('<svg');
    }
  });

  it('adds a working promo code, shipping rates with a fallback, and makes the simulator PSID an admin', async () => {
    const promos = await rows(own.db, 'SELECT code, discount_type, discount_value, is_active FROM promo_codes');
    expect(promos).toEqual([expect.objectContaining({ code: 'WELCOME10', discount_type: 'percent', discount_value: '10.00', is_active: 1 })]);
    const rates = await rows(own.db, 'SELECT province FROM shipping_rates');
    expect(rates.map((r) => r.province)).toContain('*');
    const admin = await createAdminService(own.db, { ADMIN_PSIDS: [] }).findByPsid(SIMULATOR_ADMIN_PSID);
    expect(admin).toMatchObject({ name: 'Demo admin', psid: SIMULATOR_ADMIN_PSID });
  });

  it('adds nothing when run again', async () => {
    expect(await seedDemoShop(own.db, config)).toEqual({ products: 0, promoCodes: 0, shippingRates: 0, admins: 0 });
    expect(await rows(own.db, 'SELECT id FROM products')).toHaveLength(12);
    expect(await rows(own.db, 'SELECT id FROM admins')).toHaveLength(1);
  });
});

describe('the demo shop seed on a shop that already has a catalog', () => {
  const own = useOwnDatabase();

  it("leaves the owner's products, promos and shipping rates alone", async () => {
    await own.db.query("INSERT INTO products (sku, name, price, stock_quantity) VALUES ('OWN-1', 'Owner product', '99.00', 5)");
    const ratesBefore = await rows(own.db, 'SELECT province, fee FROM shipping_rates ORDER BY province');
    const report = await seedDemoShop(own.db, config);
    expect(report).toMatchObject({ products: 0, promoCodes: 0, shippingRates: 0 });
    expect(await rows(own.db, 'SELECT name FROM products')).toEqual([expect.objectContaining({ name: 'Owner product' })]);
    expect(await rows(own.db, 'SELECT code FROM promo_codes')).toEqual([]);
    expect(await rows(own.db, 'SELECT province, fee FROM shipping_rates ORDER BY province')).toEqual(ratesBefore);
  });

  it("seeds the simulator's own admin even with ADMIN_PSIDS set (it never chats as a real PSID)", async () => {
    await own.db.query('DELETE FROM admins');
    const report = await seedDemoShop(own.db, { ...config, ADMIN_PSIDS: ['5550001'] });
    expect(report.admins).toBe(1);
    expect(await rows(own.db, 'SELECT psid FROM admins')).toEqual([{ psid: SIMULATOR_ADMIN_PSID }]);
  });

  it('seeds once when two processes start together', async () => {
    const other = await ownDatabase();
    const a = createPool({ url: other.url, timeZone: 'Asia/Manila' });
    const b = createPool({ url: other.url, timeZone: 'Asia/Manila' });
    try {
      const [ra, rb] = await Promise.all([seedDemoShop(a, config), seedDemoShop(b, config)]);
      expect(ra.products + rb.products).toBe(12);
      expect(ra.admins + rb.admins).toBe(1);
      expect(await rows(a, 'SELECT id FROM products')).toHaveLength(12);
    } finally {
      await a.end();
      await b.end();
      await other.drop();
    }
  });
});
