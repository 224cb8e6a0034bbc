/**
 * npm run bench:api — POST /api/orders through the whole stack (auth, validation, idempotency-free
 * path, engine transaction, outbox publish) against a bare Fastify route returning {} in the same
 * process and run: the ceiling. Orders are spread over 1,000 products and 1,000 users.
 * Uses its own database (quicksell_bench_api, created and dropped here) and its own Redis key prefix.
 * BENCH_SECONDS (default 10) and BENCH_CONNECTIONS (default 50) tune the run.
 */
import autocannon from 'autocannon';
import Fastify from 'fastify';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { withDatabase } from '../src/db/pool.js';
import { buildApp } from '../src/app.js';
import { deleteKeysByPrefix, dropDatabase as dropBenchDatabase } from './bench-support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_SECONDS = 2;
const PRODUCTS = 1000;
const USERS = 1000;
const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench_api';
const DB_URL = withDatabase(SERVER_URL, DB_NAME);
const PREFIX = `{bench-api-${process.pid}}`;

const dropDatabase = () => dropBenchDatabase(SERVER_URL, DB_NAME);

async function seed(db: mysql.Pool): Promise<void> {
  const products = Array.from({ length: PRODUCTS }, (_, i) => [`BENCH-${i}`, `Bench product ${i}`, '100.00', 10_000_000, 'Bench']);
  await db.query('INSERT INTO products (sku, name, price, stock_quantity, category) VALUES ?', [products]);
  const users = Array.from({ length: USERS }, (_, i) => [`Bench user ${i}`, `0917${String(i).padStart(7, '0')}`]);
  await db.query('INSERT INTO users (name, phone) VALUES ?', [users]);
}

function orderBody(productIds: number[], userIds: number[]): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
  return JSON.stringify({
    user_id: pick(userIds),
    items: [{ product_id: pick(productIds), quantity: 1 + Math.floor(Math.random() * 3) }],
    payment_method: 'cod',
    shipping_address: {
      recipient_name: 'Bench Buyer',
      phone: '09171234567',
      address: '123 Bench Street, Brgy. Test',
      city: 'Manila',
      province: 'Metro Manila',
      postal_code: '1000',
    },
  });
}

async function run(url: string, headers: Record<string, string>, body: () => string, seconds = SECONDS): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'POST', headers, setupRequest: (req) => ({ ...req, body: body() }) }],
  });
}

/** The engine alone, called in-process by CONNECTIONS concurrent loops: what the API layer adds is the gap. */
async function runEngine(create: () => Promise<boolean>): Promise<{ perSecond: number; p99: number; ok: number; failed: number }> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        if (await create()) ok++;
        else failed++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: (ok + failed) / SECONDS, p99: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0), ok, failed };
}

function line(label: string, r: autocannon.Result): string {
  const ok = r['2xx'];
  return `${label.padEnd(22)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   2xx ${ok}   non-2xx ${r.non2xx}   errors ${r.errors + r.timeouts}`;
}

async function main(): Promise<void> {
  await dropDatabase();
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
  const bare = Fastify();
  bare.post('/bare', async () => ({}));
  try {
    await seed(app.db);
    const [p] = await app.db.query<mysql.RowDataPacket[]>('SELECT id FROM products');
    const [u] = await app.db.query<mysql.RowDataPacket[]>('SELECT id FROM users');
    const productIds = p.map((r) => Number(r.id));
    const userIds = u.map((r) => Number(r.id));
    const api = await app.http!.listen({ port: 0, host: '127.0.0.1' });
    const ceiling = await bare.listen({ port: 0, host: '127.0.0.1' });
    // An admin key from the admins table (the usual case), not the ADMIN_API_KEY bootstrap key.
    const admin = await app.admins.create('bench');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${admin.key}` };

    console.log(`bench:api — ${SECONDS} s each, ${CONNECTIONS} connections, ${PRODUCTS} products, ${USERS} users`);
    const body = () => orderBody(productIds, userIds);
    await run(`${api}/api/orders`, headers, body, WARMUP_SECONDS); // JIT, pool and buffer pool warm-up, not reported
    const orders = await run(`${api}/api/orders`, headers, body);
    const bareResult = await run(`${ceiling}/bare`, headers, body);
    const engine = await runEngine(async () => (await app.orders.createOrder(JSON.parse(body()), { actor: 'api' })).success);
    const [counted] = await app.db.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM orders');
    console.log(line('POST /api/orders', orders));
    console.log(line('bare Fastify {}', bareResult));
    console.log(
      `${'engine, no HTTP'.padEnd(22)} ${engine.perSecond.toFixed(0).padStart(7)} orders/s                p99 ${String(engine.p99).padStart(4)} ms   ok ${engine.ok}   refused ${engine.failed}`,
    );
    console.log(`orders in the database: ${counted[0]?.n} (API 201 answers ${orders['2xx']} + engine ${engine.ok}; requests still in flight when a timed run ends also land)`);
    console.log(
      `ratio api/bare: ${(orders.requests.average / bareResult.requests.average).toFixed(3)} of the ceiling's req/s; ` +
        `p99 ${orders.latency.p99} ms vs ${bareResult.latency.p99} ms`,
    );
    console.log(`ratio api/engine: ${(orders.requests.average / engine.perSecond).toFixed(3)} (what auth, parsing, validation and HTTP add to the engine)`);
  } finally {
    await bare.close();
    await app.close();
    await dropDatabase();
    const redis = new Redis(config.REDIS_URL);
    await deleteKeysByPrefix(redis, PREFIX);
    await redis.quit();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
