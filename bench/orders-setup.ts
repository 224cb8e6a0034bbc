/**
 * The two sides bench:orders compares (and bench/orders-cost.ts counts): createOrder, and the bare minimal SQL
 * an order needs. Seeds the bench database: one hot product, 1,000 more, BENCH_USERS buyers split per side.
 */
import mysql from 'mysql2/promise';
import type { ResultSetHeader } from 'mysql2';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createBatchPool, createPool, withDatabase, type Db } from '../src/db/pool.js';
import { createOrderService, type OrderService } from '../src/orders/index.js';
import { dropDatabase } from './bench-support.js';

export const PRODUCTS = 1000;
/**
 * Buyers, half for each side: the engine reads each buyer's live orders of the last hour (fraud
 * rules), so a buyer pool of 1,000 shared with the bare side gave every buyer ~40 such orders by the
 * end of a run, a history no shop's buyer has. Each side has its own half of BENCH_USERS.
 */
export const USERS = Number(process.env.BENCH_USERS ?? 20_000);

export type Placer = (client: number, productId: number, userId: number) => Promise<boolean>;

async function seed(db: Db): Promise<{ hot: number; spread: number[]; engineUsers: number[]; bareUsers: number[] }> {
  const rows = Array.from({ length: PRODUCTS + 1 }, (_, i) => [`BENCH-${i}`, `Bench product ${i}`, '100.00', 100_000_000, 0]);
  await db.query('INSERT INTO products (sku, name, price, stock_quantity, low_stock_threshold) VALUES ?', [rows]);
  await db.query('INSERT INTO users (name, phone) VALUES ?', [Array.from({ length: USERS }, (_, i) => [`Bench user ${i}`, '09171234567'])]);
  const [p] = await db.query<mysql.RowDataPacket[]>('SELECT id FROM products ORDER BY id');
  const [u] = await db.query<mysql.RowDataPacket[]>('SELECT id FROM users ORDER BY id');
  const ids = p.map((r) => Number(r.id));
  const users = u.map((r) => Number(r.id));
  return { hot: ids[0]!, spread: ids.slice(1), engineUsers: users.slice(0, USERS / 2), bareUsers: users.slice(USERS / 2) };
}

const address = { recipient_name: 'Bench Buyer', phone: '09171234567', address: '123 Bench Street, Brgy. Test', city: 'Manila', province: 'Metro Manila', postal_code: '1000' };

const orderData = (productId: number, userId: number) => ({ user_id: userId, items: [{ product_id: productId, quantity: 1 }], payment_method: 'cod', shipping_address: address });

function engineOrder(orders: OrderService): Placer {
  return async (_client, productId, userId) => (await orders.createOrder(orderData(productId, userId))).success;
}

/** createOrder's checks alone (quoteOrder: validation, the reads, pricing, fraud; nothing written) */
function engineQuote(orders: OrderService): Placer {
  return async (_client, productId, userId) => (await orders.quoteOrder(orderData(productId, userId))).success;
}

/** The ceiling: what an order minimally costs in SQL on this database (its triggers included). */
function bareOrder(db: Db): Placer {
  let seq = 0;
  return async (client, productId, userId) => {
    const conn = await db.getConnection();
    try {
      await conn.beginTransaction();
      const [o] = await conn.query<ResultSetHeader>(
        `INSERT INTO orders (order_number, user_id, payment_method, subtotal, shipping_fee, total_amount, recipient_name, phone,
           shipping_address, city, province, postal_code, expires_at)
         VALUES (?, ?, 'cod', 100.00, 100.00, 200.00, ?, ?, ?, ?, ?, ?, NOW() + INTERVAL 1 DAY)`,
        [`BARE-${process.pid}-${client}-${seq++}`, userId, address.recipient_name, address.phone, address.address, address.city, address.province, address.postal_code],
      );
      const [u] = await conn.query<ResultSetHeader>(
        'UPDATE products SET reserved_quantity = reserved_quantity + 1 WHERE id = ? AND stock_quantity - reserved_quantity >= 1',
        [productId],
      );
      if (u.affectedRows !== 1) throw new Error('out of stock');
      await conn.query(`INSERT INTO order_items (order_id, product_id, product_name, unit_price, quantity, line_total) VALUES (?, ?, 'x', 100.00, 1, 100.00)`, [o.insertId, productId]);
      await conn.query(`INSERT INTO inventory_reservations (order_id, product_id, quantity, expires_at) VALUES (?, ?, 1, NOW() + INTERVAL 1 DAY)`, [o.insertId, productId]);
      await conn.commit();
      return true;
    } catch {
      await conn.rollback();
      return false;
    } finally {
      conn.release();
    }
  };
}


export interface Bench {
  db: Db;
  users: { engine: number[]; bare: number[]; quote: number[] };
  engine: Placer;
  bare: Placer;
  quote: Placer;
  /** the product each order takes: always the hot one, or one of 1,000 at random */
  scenarios: Record<'hot product' | '1,000 products', () => number>;
  /** ends the pools and drops the database */
  close(): Promise<void>;
}

/** A fresh database `name` on the server, migrated and seeded, with both sides ready to place orders. */
export async function openBench(serverUrl: string, name: string): Promise<Bench> {
  const url = withDatabase(serverUrl, name);
  await dropDatabase(serverUrl, name);
  await migrate(url);
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', DB_POOL_SIZE: '40', FRAUD_MAX_ORDERS_PER_HOUR: '1000000' });
  const db = createPool({ url, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  const batchDb = createBatchPool({ url, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  const { hot, spread, engineUsers, bareUsers } = await seed(db);
  const orders = createOrderService({ db, batchDb, config, logger: pino({ level: 'silent' }), outbox: { publish: async () => undefined } });
  return {
    db,
    users: { engine: engineUsers, bare: bareUsers, quote: engineUsers },
    engine: engineOrder(orders),
    bare: bareOrder(db),
    quote: engineQuote(orders),
    scenarios: { 'hot product': () => hot, '1,000 products': () => spread[Math.floor(Math.random() * spread.length)]! },
    async close() {
      await db.end();
      await batchDb.end();
      await dropDatabase(serverUrl, name);
    },
  };
}
