/**
 * npm run bench:orders — the order engine's createOrder against the bare minimal SQL transaction an
 * order needs (insert order, reserve with a conditional update, insert item and reservation, commit:
 * no app code), measured in the same run on the same database, so the engine's figure is a ratio to
 * that ceiling. N concurrent clients (1, 8, 32) place orders (a) all on one hot product and (b) spread
 * over 1,000 products. Uses its own database quicksell_bench (created and dropped here); never touches
 * any other. The two are measured in alternating slices (BENCH_ROUNDS × BENCH_SECONDS each, default
 * 3 × 1 s) so that load from other processes on the machine hits both alike.
 */
import { loadavg } from 'node:os';
import mysql from 'mysql2/promise';
import type { ResultSetHeader } from 'mysql2';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createBatchPool, createPool, withDatabase, type Db } from '../src/db/pool.js';
import { createOrderService, type OrderService } from '../src/orders/index.js';
import { formatRss, reportSummary, sampleRss, type SummaryRow } from './bench-support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8,32').split(",").map(Number);
const PRODUCTS = 1000;
/**
 * Buyers, half for each side: the engine reads each buyer's live orders of the last hour (fraud
 * rules), so a buyer pool of 1,000 shared with the bare side gave every buyer ~40 such orders by the
 * end of a run, a history no shop's buyer has. Each side has its own half of BENCH_USERS.
 */
const USERS = Number(process.env.BENCH_USERS ?? 20_000);
const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench';
const DB_URL = withDatabase(SERVER_URL, DB_NAME);

type Placer = (client: number, productId: number, userId: number) => Promise<boolean>;
interface Slice {
  latencies: number[];
  failed: number;
  elapsed: number;
}
interface Figures {
  ordersPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

async function dropDatabase(): Promise<void> {
  const conn = await mysql.createConnection({ uri: SERVER_URL });
  await conn.query(`DROP DATABASE IF EXISTS \`${DB_NAME}\``);
  await conn.end();
}

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

function engineOrder(orders: OrderService): Placer {
  return async (_client, productId, userId) => {
    const r = await orders.createOrder({ user_id: userId, items: [{ product_id: productId, quantity: 1 }], payment_method: 'cod', shipping_address: address });
    return r.success;
  };
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

async function measure(place: Placer, clients: number, pickProduct: () => number, users: number[]): Promise<Slice> {
  const latencies: number[] = [];
  let failed = 0;
  const until = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      let i = c;
      while (performance.now() < until) {
        const t = performance.now();
        const ok = await place(c, pickProduct(), users[(i += clients) % users.length]!);
        latencies.push(performance.now() - t);
        if (!ok) failed++;
      }
    }),
  );
  return { latencies, failed, elapsed: (performance.now() - start) / 1000 };
}

function summarize(slices: Slice[]): Figures {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const failed = slices.reduce((n, s) => n + s.failed, 0);
  const elapsed = slices.reduce((t, s) => t + s.elapsed, 0);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { ordersPerSecond: (latencies.length - failed) / elapsed, p50: q(0.5), p99: q(0.99), failed };
}

/** bare and engine in alternating slices, so both see the same background load */
async function compare(engine: Placer, bare: Placer, clients: number, pick: () => number, users: { engine: number[]; bare: number[] }): Promise<[Figures, Figures]> {
  const b: Slice[] = [];
  const e: Slice[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(await measure(bare, clients, pick, users.bare));
    e.push(await measure(engine, clients, pick, users.engine));
  }
  return [summarize(b), summarize(e)];
}

async function main(): Promise<void> {
  await dropDatabase();
  await migrate(DB_URL);
  const config = loadConfig({ DATABASE_URL: DB_URL, LOG_LEVEL: 'silent', DB_POOL_SIZE: '40', FRAUD_MAX_ORDERS_PER_HOUR: '1000000' });
  const db = createPool({ url: DB_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  const batchDb = createBatchPool({ url: DB_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: config.DB_POOL_SIZE });
  try {
    const { hot, spread, engineUsers, bareUsers } = await seed(db);
    const users = { engine: engineUsers, bare: bareUsers };
    const engine = engineOrder(createOrderService({ db, batchDb, config, logger: pino({ level: 'silent' }), outbox: { publish: async () => undefined } }));
    const bare = bareOrder(db);
    const scenarios = { 'hot product': () => hot, '1,000 products': () => spread[Math.floor(Math.random() * spread.length)]! };
    await measure(engine, 4, scenarios['1,000 products'], users.engine); // warm-up: JIT, pool, buffer pool
    console.log(`bench:orders — ${ROUNDS} alternating rounds × ${SECONDS}s each side, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, MariaDB ${(await db.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v'))[0][0]!.v}`);
    console.log('scenario         clients | bare SQL ceiling: orders/s  p50 ms  p99 ms | engine: orders/s  p50 ms  p99 ms  failed | ratio');
    const verdicts: string[] = [];
    const summary: SummaryRow[] = [];
    const rss = sampleRss();
    for (const [name, pick] of Object.entries(scenarios)) {
      for (const clients of CLIENTS) {
        const [b, e] = await compare(engine, bare, clients, pick, users);
        if (clients === 8) {
          const ratio = e.ordersPerSecond / b.ordersPerSecond;
          verdicts.push(`${name} @8: ratio ${ratio.toFixed(2)} ${ratio >= 0.8 ? '>=' : '<'} 0.8, p99 ${e.p99.toFixed(1)} ms ${e.p99 < 20 ? '<' : '>='} 20 ms`);
          const target = name === 'hot product' ? '>= 0.8 (stretch 1.0)' : '>= 0.8';
          summary.push({ bench: 'orders', figure: `engine orders/s, ${name} @8`, value: e.ordersPerSecond, ceiling: b.ordersPerSecond, ratio, target, met: ratio >= 0.8 });
          summary.push({ bench: 'orders', figure: `engine p99 ms, ${name} @8`, value: e.p99, ceiling: null, ratio: null, target: '< 20 ms', met: e.p99 < 20 });
        }
        console.log(
          `${name.padEnd(16)} ${String(clients).padStart(7)} | ${b.ordersPerSecond.toFixed(0).padStart(26)} ${b.p50.toFixed(1).padStart(7)} ${b.p99.toFixed(1).padStart(7)} | ` +
            `${e.ordersPerSecond.toFixed(0).padStart(16)} ${e.p50.toFixed(1).padStart(7)} ${e.p99.toFixed(1).padStart(7)} ${String(e.failed).padStart(7)} | ${(e.ordersPerSecond / b.ordersPerSecond).toFixed(2)}`,
        );
      }
    }
    const memory = rss.stop();
    console.log(`target: engine >= 0.8 × the ceiling and p99 < 20 ms at 8 clients — ${verdicts.join('; ')}`);
    console.log(`engine process (this one) ${formatRss(memory)}`);
    reportSummary(summary, memory);
    console.log(`load after: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores shared with other processes)`);
  } finally {
    await db.end();
    await batchDb.end();
    await dropDatabase();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
