/**
 * The server side of bench/api.ts, in its own process so autocannon (the parent) does not share its
 * event loop: the whole app (workers off) on its own database, and the same engine called in-process for
 * the comparison. IPC: 'ready' {url, key} → 'engine' {seconds, connections} → 'engine-done' {figures};
 * 'rss-start' / 'rss-stop' → 'rss' {figures}; 'close'.
 */
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { withDatabase } from '../src/db/pool.js';
import { buildApp } from '../src/app.js';
import { deleteKeysByPrefix, dropDatabase, quantile, sampleRss } from './bench-support.js';
import { orderBody } from './api-orders.js';

const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench_api';
const DB_URL = withDatabase(SERVER_URL, DB_NAME);
const PREFIX = `{bench-api-${process.pid}}`;
const PRODUCTS = 1000;
const USERS = 1000;
const send = (msg: unknown) => process.send!(msg);

async function seed(db: mysql.Pool): Promise<{ productIds: number[]; userIds: number[] }> {
  const products = Array.from({ length: PRODUCTS }, (_, i) => [`BENCH-${i}`, `Bench product ${i}`, '100.00', 10_000_000, 'Bench']);
  await db.query('INSERT INTO products (sku, name, price, stock_quantity, category) VALUES ?', [products]);
  const users = Array.from({ length: USERS }, (_, i) => [`Bench user ${i}`, `0917${String(i).padStart(7, '0')}`]);
  await db.query('INSERT INTO users (name, phone) VALUES ?', [users]);
  const [p] = await db.query<mysql.RowDataPacket[]>('SELECT id FROM products');
  const [u] = await db.query<mysql.RowDataPacket[]>('SELECT id FROM users');
  return { productIds: p.map((r) => Number(r.id)), userIds: u.map((r) => Number(r.id)) };
}

async function main(): Promise<void> {
  await dropDatabase(SERVER_URL, DB_NAME);
  await migrate(DB_URL);
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: DB_URL,
    QUEUE_PREFIX: PREFIX,
    API_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
    SIMULATOR: 'off',
    DEMO_SEED: 'false',
    // every order is a fresh buyer's; fraud velocity rules would only add warnings
    FRAUD_MAX_ORDERS_PER_HOUR: '1000000',
    FRAUD_DUPLICATE_WINDOW_MINUTES: '0',
  });
  const app = await buildApp(config, { workers: false });
  const ids = await seed(app.db);
  // an admin key from the admins table (the usual case), not the ADMIN_API_KEY bootstrap key
  const admin = await app.admins.create('bench');
  const url = await app.http!.listen({ port: 0, host: '127.0.0.1' });
  let rss: ReturnType<typeof sampleRss> | null = null;

  /** The engine alone, called by `connections` concurrent loops: what the API layer adds is the gap. */
  async function engine(seconds: number, connections: number) {
    const latencies: number[] = [];
    let ok = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          if ((await app.orders.createOrder(JSON.parse(orderBody(ids.productIds, ids.userIds)), { actor: 'api' })).success) ok++;
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return { perSecond: ok / elapsed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), ok, refused: latencies.length - ok };
  }

  process.on('message', async (msg: { cmd: string; seconds?: number; connections?: number }) => {
    if (msg.cmd === 'engine') send({ cmd: 'engine-done', ...(await engine(msg.seconds!, msg.connections!)) });
    if (msg.cmd === 'rss-start') rss = sampleRss();
    if (msg.cmd === 'rss-stop') {
      const r = rss!.stop();
      send({ cmd: 'rss', start: r.start, end: r.end, max: r.max });
    }
    if (msg.cmd === 'count') {
      const [r] = await app.db.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM orders');
      send({ cmd: 'counted', n: Number(r[0]?.n) });
    }
    if (msg.cmd === 'close') {
      await app.close();
      await dropDatabase(SERVER_URL, DB_NAME);
      const redis = new Redis(config.REDIS_URL);
      await deleteKeysByPrefix(redis, PREFIX);
      await redis.quit();
      process.exit(0);
    }
  });
  send({ cmd: 'ready', url: `${url}/api/orders`, key: admin.key, ...ids });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
