/**
 * npm run bench:jobs — notification jobs through the real notifications worker (the production processor:
 * zod parse, row load and claim (one round trip for the jobs running at once, on the batch pool as in the
 * app), 24-hour window check, render, Send API call to a local fake Graph API that answers at once, in its
 * own process, message id recorded, waiting rows woken as in the app) at concurrency 1, 10 and 50,
 * beside two ceilings over the same number of jobs with the same worker options, measured in the same run:
 * a BullMQ worker that sends each job's (pre-rendered) message to the same fake Graph API with no
 * bookkeeping at all — the ceiling the target is a ratio to — and a no-op processor (what BullMQ and
 * Redis alone allow on this machine, for context). Figures are jobs/s and the ratios.
 *
 * The Send API limiter (SEND_API_RATE_PER_SECOND, at most 300/s per Page) is left out here on purpose:
 * with it, the figure would be the limit, not the worker's capacity.
 *
 * Own database (quicksell_bench_jobs, created and dropped here) and own queue prefix; never `quicksell`.
 * BENCH_JOBS (default 20000) jobs per run; BENCH_CONCURRENCY (default 1,10,50) the worker concurrencies;
 * BENCH_ROUNDS (default 3) alternating rounds of the ceiling and the worker per concurrency: each figure is the
 * median, and the ratio the median of the rounds' ratios (one round each read 0.28-0.50 at concurrency 10 on
 * the same code within minutes on this shared machine); BENCH_WARMUP_JOBS (default 2000) jobs per side run once,
 * unmeasured, first.
 */
import { createMediaStore } from '../src/media/media-store.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Queue, Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { createBatchPool, createPool, withDatabase, type Db } from '../src/db/pool.js';
import { createAdminService } from '../src/admins/admin-service.js';
import { createSendApi } from '../src/bot/send-api.js';
import { createOrderService } from '../src/orders/index.js';
import { createNotificationProcessor } from '../src/jobs/notification-processor.js';
import { createNotificationWaiters, type NotificationWaiters } from '../src/jobs/notification-waiters.js';
import { jobIds, QUEUES } from '../src/jobs/queues.js';
import { renderNotification } from '../src/jobs/notification-messages.js';
import { cpuMeter, deleteKeysByPrefix, dropDatabase, formatRss, median, serverPids, reportSummary, sampleRss, type SummaryRow } from './bench-support.js';
import { calibrate, formatCalibration } from './calibration.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number);
/** alternating rounds per concurrency (send-only ceiling, then the worker, repeated); the figures are medians */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/**
 * Jobs each side runs once, unmeasured, before the first round: the first round's ceiling otherwise ran
 * cold (its send path not yet compiled, the fake Graph's neither). Measured on 2026-11-29 (BENCH_CPU=1,
 * concurrency 10): the send-only worker's CPU per job read 177 us in round 1 against 116 and 96 in rounds 2
 * and 3, and the rounds' ratios 0.30, 0.23, 0.17: round 1 flattered the worker.
 */
const WARMUP_JOBS = Number(process.env.BENCH_WARMUP_JOBS ?? 2000);
const TARGET = 0.5;
const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench_jobs';
const DB_URL = withDatabase(SERVER_URL, DB_NAME);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `{bench-jobs-${randomUUID().slice(0, 8)}}`;

/** The fake Graph API in a process of its own, as Graph is: it must not share the worker's CPU. */
async function startGraphProcess(): Promise<{ url: string; child: ChildProcess }> {
  const script =
    "import('./src/simulator/fake-graph.ts').then(async ({ startFakeGraph }) => {" +
    '  const g = await startFakeGraph({ keep: 100 }); console.log(g.url);' +
    "  process.on('SIGTERM', () => g.close().then(() => process.exit(0)));" +
    '})';
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`fake Graph process exited (${code})`)));
  });
  return { url, child };
}

async function countSent(db: Db, ids: number[]): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM notification_queue WHERE id BETWEEN ? AND ? AND status = 'completed' AND message_id IS NOT NULL`,
    [ids[0], ids.at(-1)],
  );
  return Number(rows[0]?.n);
}

/**
 * Rows go to RECIPIENTS customers in turn (row i to customer i mod RECIPIENTS): a shop's notifications
 * are for many customers, and one customer's rows are sent in row order (a row waits for its earlier
 * ones), so 20,000 rows for one PSID would measure that wait, not the worker.
 */
const RECIPIENTS = 1000;
const psidOf = (i: number) => `bench-customer-${i % RECIPIENTS}`;

async function setupOrder(db: Db): Promise<{ orderId: number; psid: string }> {
  const psid = psidOf(0);
  await db.query('INSERT INTO users (name, phone, psid, last_message_at) VALUES ?', [
    Array.from({ length: RECIPIENTS }, (_, i) => ['Bench Buyer', '09123456789', psidOf(i), new Date()]),
  ]);
  const [[u]] = await db.query<RowDataPacket[]>('SELECT id AS insertId FROM users WHERE psid = ?', [psid]);
  const [p] = await db.query<ResultSetHeader>("INSERT INTO products (sku, name, price, stock_quantity) VALUES ('BENCH-1', 'Bench Rice', '1000.00', 1000000)");
  const [o] = await db.query<ResultSetHeader>(
    `INSERT INTO orders (order_number, user_id, order_status, payment_method, subtotal, shipping_fee, total_amount,
       recipient_name, phone, shipping_address, city, province, postal_code)
     VALUES ('ORD-BENCH-1', ?, 'confirmed', 'cod', '2000.00', '100.00', '2100.00', 'Bench Buyer', '09123456789', '1 Bench St', 'Manila', 'Metro Manila', '1000')`,
    [u!.insertId],
  );
  await db.query(
    `INSERT INTO order_items (order_id, product_id, product_name, sku, unit_price, quantity, line_total) VALUES (?, ?, 'Bench Rice', 'BENCH-1', '1000.00', 2, '2000.00')`,
    [o.insertId, p.insertId],
  );
  return { orderId: o.insertId, psid };
}

/** the payload the engine writes for a confirmed order (src/orders/transitions.ts) */
function confirmedPayload(orderId: number): string {
  return JSON.stringify({
    order_id: orderId,
    order_number: 'ORD-BENCH-1',
    order_status: 'confirmed',
    total_amount: '2100.00',
    payment_method: 'cod',
    customer_name: 'Bench Buyer',
    reason: null,
    tracking_number: null,
  });
}

/** `count` (JOBS) fresh 'order_confirmed' rows for the bench customers (the most common message); returns their ids. */
async function insertRows(db: Db, orderId: number, count = JOBS): Promise<number[]> {
  const ids: number[] = [];
  for (let done = 0; done < count; done += 2000) {
    const n = Math.min(2000, count - done);
    const payload = confirmedPayload(orderId);
    const values = Array.from({ length: n }, (_, i) => [orderId, 'customer', psidOf(done + i), 'order_confirmed', payload]);
    const [res] = await db.query<ResultSetHeader>(
      'INSERT INTO notification_queue (order_id, recipient_type, recipient_psid, notification_type, payload) VALUES ?',
      [values],
    );
    for (let i = 0; i < n; i++) ids.push(res.insertId + i); // one multi-row INSERT: consecutive ids (InnoDB, single session)
  }
  return ids;
}

async function runOnce(queueName: string, processor: Processor, concurrency: number, ids: number[]): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix: PREFIX });
  for (let i = 0; i < ids.length; i += 1000) {
    await queue.addBulk(
      ids.slice(i, i + 1000).map((id) => ({
        name: 'send',
        data: { notificationId: id },
        opts: { jobId: jobIds.notification(id), removeOnComplete: true, removeOnFail: true, attempts: 1 },
      })),
    );
  }
  let done = 0;
  let failed = 0;
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(queueName, processor, { connection, prefix: PREFIX, concurrency, autorun: false });
    const tick = () => {
      if (done + failed === ids.length) {
        resolve();
        void worker.close();
      }
    };
    worker.on('completed', () => {
      done += 1;
      tick();
    });
    worker.on('failed', (_job, err) => {
      failed += 1;
      if (failed <= 3) console.error(`  job failed: ${err.message}`);
      tick();
    });
    worker.on('error', (err) => console.error(`  worker error: ${err.message}`));
    void worker.run();
  });
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.quit();
  if (failed) throw new Error(`${failed} of ${ids.length} jobs failed in ${queueName}`);
  return ids.length / seconds;
}

async function main(): Promise<void> {
  const calibration = await calibrate();
  console.log(formatCalibration(calibration));
  console.log(`bench:jobs — ${JOBS} notification jobs per run, concurrency ${CONCURRENCY.join('/')}, load average ${loadavg()[0]!.toFixed(2)}`);
  await dropDatabase(SERVER_URL, DB_NAME);
  await migrate(DB_URL);
  const graph = await startGraphProcess();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: DB_URL, SIMULATOR: 'off', GRAPH_API_URL: graph.url });
  const db = createPool({ url: DB_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 60 });
  const batchDb = createBatchPool({ url: DB_URL, timeZone: config.SHOP_TIMEZONE, connectionLimit: 10 });
  // MariaDB round trips per job: a count, not a time, so it does not depend on the machine's load
  const queries = { n: 0 };
  for (const pool of [db, batchDb]) {
    const query = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof query>) => {
      queries.n += 1;
      return query(...args);
    }) as typeof pool.query;
  }
  const logger = pino({ level: 'silent' });
  const orders = createOrderService({ db, batchDb, config, logger, outbox: { publish: async () => undefined } });
  // the waiters as production has them (a customer's second row waits for the first and is woken by it)
  const waitersRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const waitersQueues: Queue[] = [];
  const processorFor = (queueName: string) => {
    const queue = new Queue(queueName, { connection: waitersRedis, prefix: PREFIX });
    waitersQueues.push(queue);
    return createProcessor(createNotificationWaiters(waitersRedis, queue, PREFIX));
  };
  const createProcessor = (waiters: NotificationWaiters) => createNotificationProcessor({
    waiters,
    db,
    batchDb,
    orders,
    admins: createAdminService(db, config),
    sendApi: createSendApi({ graphApiUrl: graph.url, graphApiVersion: config.GRAPH_API_VERSION, pageAccessToken: undefined }),
    logger,
    media: createMediaStore(db, { maxBytes: config.MEDIA_MAX_BYTES }),
    shop: { name: config.SHOP_NAME, currency: config.CURRENCY, gcashNumber: config.GCASH_NUMBER, gcashName: config.GCASH_NAME, bankDetails: config.BANK_DETAILS },
    inDoubtAfterMs: 12_000,
    rateLimitBackoffMs: 1000,
    rateLimit: async () => undefined,
    publishNotifications: async () => undefined,
    publishAdminRows: async () => undefined,
  });
  const noop: Processor = async () => null;
  const { orderId } = await setupOrder(db);
  // the ceiling: the same message to the same fake Graph, rendered once, no row read, claim or write
  const sendApi = createSendApi({ graphApiUrl: graph.url, graphApiVersion: config.GRAPH_API_VERSION, pageAccessToken: undefined });
  const rendered = renderNotification({ type: 'order_confirmed', payload: JSON.parse(confirmedPayload(orderId)), order: null, product: null, shop: { name: config.SHOP_NAME, currency: config.CURRENCY, gcashNumber: config.GCASH_NUMBER, gcashName: config.GCASH_NAME, bankDetails: config.BANK_DETAILS } });
  if (!rendered.ok) throw new Error(`bench message does not render: ${rendered.reason}`);
  const sendOnly: Processor = async (job) => {
    const to = psidOf(Number(job.data.notificationId) - 1);
    for (const message of rendered.parts) await sendApi.send({ recipient: { id: to }, messaging_type: 'UPDATE', message });
    return null;
  };

  const summary: SummaryRow[] = [];
  const rss = sampleRss();
  // BENCH_CPU=1: where each phase's CPU goes, per job, by process
  const pids = { worker: process.pid, 'fake Graph': graph.child.pid ?? null, ...serverPids() };
  try {
    if (WARMUP_JOBS > 0) {
      const warm = Array.from({ length: WARMUP_JOBS }, (_, i) => i + 1);
      await runOnce('warm-up-send-only', sendOnly, CONCURRENCY[0]!, warm);
      const queue = `${QUEUES.notifications}-warm-up`;
      await runOnce(queue, processorFor(queue), CONCURRENCY[0]!, await insertRows(db, orderId, WARMUP_JOBS));
    }
    for (const c of CONCURRENCY) {
      const fake = Array.from({ length: JOBS }, (_, i) => i + 1);
      const ceiling = await runOnce(`noop-c${c}`, noop, c, fake);
      // alternating rounds: a load spike from elsewhere on a shared machine hits both sides alike
      const rounds: Array<{ graphOnly: number; real: number; perJob: number }> = [];
      for (let r = 0; r < ROUNDS; r++) {
        const ceilingCpu = cpuMeter(pids);
        const graphOnly = await runOnce(`send-only-c${c}-r${r}`, sendOnly, c, fake);
        if (process.env.BENCH_CPU) console.log(`    c${c} round ${r + 1} send-only CPU per job: ${ceilingCpu(JOBS)}`);
        const ids = await insertRows(db, orderId);
        const queriesBefore = queries.n;
        const queue = `${QUEUES.notifications}-c${c}-r${r}`;
        const realCpu = cpuMeter(pids);
        const real = await runOnce(queue, processorFor(queue), c, ids);
        if (process.env.BENCH_CPU) console.log(`    c${c} round ${r + 1} worker CPU per job: ${realCpu(JOBS)}`);
        const perJob = (queries.n - queriesBefore) / JOBS;
        const sent = await countSent(db, ids);
        if (sent !== JOBS) throw new Error(`expected ${JOBS} rows sent with a message id, got ${sent}`);
        rounds.push({ graphOnly, real, perJob });
      }
      const ratios = rounds.map((r) => r.real / r.graphOnly);
      const ratio = median(ratios);
      const real = median(rounds.map((r) => r.real));
      const graphOnly = median(rounds.map((r) => r.graphOnly));
      console.log(
        `  concurrency ${String(c).padStart(2)}: worker ${real.toFixed(0).padStart(6)} jobs/s   send-only ceiling ${graphOnly.toFixed(0).padStart(6)} jobs/s   ratio ${ratio.toFixed(2)}` +
          `   (median of ${ROUNDS} alternating rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')}; no-op worker ${ceiling.toFixed(0)} jobs/s, ratio ${(real / ceiling).toFixed(2)}; load ${loadavg()[0]!.toFixed(1)})` +
          `   MariaDB round trips/job ${median(rounds.map((r) => r.perJob)).toFixed(2)}`,
      );
      summary.push({ bench: 'jobs', figure: `notifications jobs/s @${c} vs send-only worker`, value: real, ceiling: graphOnly, ratio, target: c === 1 ? '(info)' : `>= ${TARGET}`, met: c === 1 || ratio >= TARGET });
    }
    const memory = rss.stop();
    console.log(`worker process (this one) ${formatRss(memory)}`);
    reportSummary(summary, memory, calibration);
  } finally {
    for (const q of waitersQueues) await q.close();
    await waitersRedis.quit();
    await db.end();
    await batchDb.end();
    graph.child.kill('SIGTERM');
    const redis = new Redis(REDIS_URL);
    await deleteKeysByPrefix(redis, PREFIX);
    await redis.quit();
    await dropDatabase(SERVER_URL, DB_NAME);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
