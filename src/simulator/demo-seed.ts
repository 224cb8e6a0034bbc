import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import type { Config } from '../config.js';
import { withTransaction, type Conn, type Db } from '../db/pool.js';
import { DEMO_KEY_PREFIX, hashKey } from '../admins/admin-service.js';
import { DEMO_PRODUCTS, DEMO_PROMO, DEMO_SHIPPING_RATES, demoImageUrl } from './demo-catalog.js';
import { SIMULATOR_ADMIN_PSID } from './identities.js';

/**
 * The demo shop for simulator mode: a dozen products with pictures, a promo code, shipping rates and
 * the simulator's admin. Products are added only when the catalog is empty, shipping rates only when
 * there are none, so a real shop's data is never touched; running it again adds nothing. A named lock
 * keeps a web and a worker process that start together from seeding twice.
 */

// no parameters
const COUNT_PRODUCTS = 'SELECT COUNT(*) AS n FROM products';
// ? = sku, name, description, price, stock_quantity, low_stock_threshold, category, image_url
const INSERT_PRODUCT = `INSERT IGNORE INTO products
  (sku, name, description, price, stock_quantity, low_stock_threshold, status, category, image_url)
  VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)`;
// ? = code, description, discount_type, discount_value, min_spend, max_discount
const INSERT_PROMO = `INSERT IGNORE INTO promo_codes
  (code, description, discount_type, discount_value, min_spend, max_discount, is_active)
  VALUES (?, ?, ?, ?, ?, ?, TRUE)`;
// no parameters
const COUNT_SHIPPING_RATES = 'SELECT COUNT(*) AS n FROM shipping_rates';
// ? = province, fee, free_shipping_min
const INSERT_SHIPPING_RATE = 'INSERT IGNORE INTO shipping_rates (province, fee, free_shipping_min) VALUES (?, ?, ?)';
// ? = psid
const FIND_ADMIN_BY_PSID = 'SELECT id FROM admins WHERE psid = ?';
// ? = name, api_key_hash, key_prefix, psid
const INSERT_ADMIN = 'INSERT IGNORE INTO admins (name, api_key_hash, key_prefix, psid) VALUES (?, ?, ?, ?)';

export interface SeedReport {
  products: number;
  promoCodes: number;
  shippingRates: number;
  admins: number;
}

async function count(conn: Conn, sql: string): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>(sql);
  return Number(rows[0]?.n ?? 0);
}

async function seedCatalog(conn: Conn, baseUrl: string, currency: string): Promise<Pick<SeedReport, 'products' | 'promoCodes'>> {
  if ((await count(conn, COUNT_PRODUCTS)) > 0) return { products: 0, promoCodes: 0 };
  let products = 0;
  for (const p of DEMO_PRODUCTS) {
    const [res] = await conn.query(INSERT_PRODUCT, [
      p.sku, p.name, p.description, p.price, p.stock, p.lowStockThreshold, p.category, demoImageUrl(baseUrl, p.slug),
    ]);
    products += (res as { affectedRows: number }).affectedRows;
  }
  const pr = DEMO_PROMO;
  const [res] = await conn.query(INSERT_PROMO, [pr.code, pr.description(currency), pr.discountType, pr.discountValue, pr.minSpend, pr.maxDiscount]);
  return { products, promoCodes: (res as { affectedRows: number }).affectedRows };
}

async function seedShipping(conn: Conn): Promise<number> {
  if ((await count(conn, COUNT_SHIPPING_RATES)) > 0) return 0;
  let n = 0;
  for (const r of DEMO_SHIPPING_RATES) {
    const [res] = await conn.query(INSERT_SHIPPING_RATE, [r.province, r.fee, r.freeShippingMin]);
    n += (res as { affectedRows: number }).affectedRows;
  }
  return n;
}

/** The simulator's admin PSID as an admins row; its API key is random and thrown away (chat only). */
async function seedAdmin(conn: Conn): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>(FIND_ADMIN_BY_PSID, [SIMULATOR_ADMIN_PSID]);
  if (rows.length > 0) return 0;
  const unusedKey = `qs_${randomBytes(32).toString('base64url')}`;
  const [res] = await conn.query(INSERT_ADMIN, ['Demo admin', hashKey(unusedKey), DEMO_KEY_PREFIX, SIMULATOR_ADMIN_PSID]);
  return (res as { affectedRows: number }).affectedRows;
}

export async function seedDemoShop(db: Db, config: Pick<Config, 'publicUrl' | 'ADMIN_PSIDS' | 'CURRENCY'>): Promise<SeedReport> {
  const lockConn = await db.getConnection();
  try {
    await lockConn.query("SELECT GET_LOCK(CONCAT('quicksell_demo_seed_', DATABASE()), 30)");
    return await withTransaction(db, async (conn) => {
      const catalog = await seedCatalog(conn, config.publicUrl, config.CURRENCY);
      const shippingRates = await seedShipping(conn);
      // the simulator's admin pane always chats as its own PSID (never a real one from ADMIN_PSIDS)
      const admins = await seedAdmin(conn);
      return { ...catalog, shippingRates, admins };
    });
  } finally {
    await lockConn.query("SELECT RELEASE_LOCK(CONCAT('quicksell_demo_seed_', DATABASE()))").catch(() => undefined);
    lockConn.release();
  }
}
