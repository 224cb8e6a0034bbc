/**
 * The server side of bench/webhook.ts, in its own process so the load generator does not share its
 * event loop: the whole app (webhook, turn runner, Botkit turns, and the workers that send the receipt) on its own database, and
 * the ceiling, a bare Fastify route doing the minimal durable hand-off (one Redis write per event). The
 * fake Graph API runs in the parent (BENCH_GRAPH_URL). IPC: 'ready' {webhook, bare}; 'drain' → 'drained'
 * {backlog, drainMs, left}; 'rss-start' / 'rss-stop' → 'rss'; 'close'.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { withDatabase } from '../src/db/pool.js';
import { buildApp } from '../src/app.js';
import { deleteKeysByPrefix, dropDatabase, sampleGc, sampleRss } from './bench-support.js';

const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
// per run (another bench:webhook may run beside this one on a shared machine); the turn process gets this run's
const DB_NAME = process.env.BENCH_TURNS_DB ?? `quicksell_bench_webhook_${process.pid}`;
const PREFIX = process.env.BENCH_TURNS_PREFIX ?? `{bench-webhook-${process.pid}}`;
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 60);
const send = (msg: unknown) => process.send!(msg);
/**
 * BENCH_TURN_PROCESS=worker: this process acks only (ROLE=web, TURN_PROCESS=worker) and a second process (this
 * file again, BENCH_TURNS_CHILD=1) runs the turns and the workers (ROLE=worker), as in that deployment.
 */
const SPLIT = process.env.BENCH_TURN_PROCESS === 'worker';
const TURNS_CHILD = process.env.BENCH_TURNS_CHILD === '1';

async function queued(redis: Redis): Promise<number> {
  const psids = await redis.smembers(`${PREFIX}:bot:pending`);
  const lens = await Promise.all(psids.map((p) => redis.llen(`${PREFIX}:bot:inbox:${p}`)));
  return lens.reduce((a, b) => a + b, 0);
}

function benchConfig() {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: withDatabase(SERVER_URL, DB_NAME),
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    SIMULATOR: 'off',
    DEMO_SEED: 'false',
    GRAPH_API_URL: process.env.BENCH_GRAPH_URL,
    FB_PAGE_ACCESS_TOKEN: 'bench-page-token',
    FB_APP_SECRET: process.env.BENCH_APP_SECRET,
    FB_VERIFY_TOKEN: 'bench-verify',
    TURN_PROCESS: SPLIT ? 'worker' : 'web',
  });
}

/** The turn process of BENCH_TURN_PROCESS=worker: turns and workers, no HTTP; 'ready' once started, exits on 'close'. */
async function turnsChild(): Promise<void> {
  const app = await buildApp(benchConfig(), { web: false, workers: true });
  await app.start();
  process.on('message', async (msg: { cmd: string }) => {
    if (msg.cmd === 'close') {
      await app.close();
      process.exit(0);
    }
  });
  send({ cmd: 'ready' });
}

async function main(): Promise<void> {
  await dropDatabase(SERVER_URL, DB_NAME);
  await migrate(withDatabase(SERVER_URL, DB_NAME));
  const config = benchConfig();
  // workers on (here, or in the turn process when split): the answer to "Place order" is the receipt, sent
  // by the notifications worker from the outbox
  const app = await buildApp(config, { workers: !SPLIT });
  await app.start();
  let turns: ChildProcess | null = null;
  if (SPLIT) {
    turns = fork(fileURLToPath(import.meta.url), { env: { ...process.env, BENCH_TURNS_CHILD: '1', BENCH_TURNS_PREFIX: PREFIX, BENCH_TURNS_DB: DB_NAME } });
    await new Promise((resolve) => turns!.once('message', resolve));
  }
  // the journey's catalog: one category, three products that never run out
  const products = [1, 2, 3].map((i) => [`BENCH-${i}`, `Bench item ${i}`, '250.00', 100_000_000, 'Bench']);
  await app.db.query('INSERT INTO products (sku, name, price, stock_quantity, category) VALUES ?', [products]);
  const redis = new Redis(config.REDIS_URL);
  const bare = Fastify();
  bare.removeAllContentTypeParsers();
  bare.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
  // the ceiling: take the raw event and make it durable with one Redis write, nothing else
  bare.post('/bare', async (req, reply) => {
    await redis.rpush(`${PREFIX}:bare`, req.body as Buffer);
    return reply.code(200).type('text/plain').send('EVENT_RECEIVED');
  });
  let rss: ReturnType<typeof sampleRss> | null = null;
  let gc: ReturnType<typeof sampleGc> | null = null;

  async function cleanup(): Promise<void> {
    if (turns) {
      turns.send({ cmd: 'close' });
      await new Promise((r) => turns!.once('exit', r));
    }
    await bare.close();
    await app.close();
    await dropDatabase(SERVER_URL, DB_NAME);
    await deleteKeysByPrefix(redis, PREFIX);
    await redis.quit();
  }

  process.on('message', async (msg: { cmd: string }) => {
    if (msg.cmd === 'drain') {
      const backlog = await queued(redis);
      const start = Date.now();
      while ((await queued(redis)) > 0 && Date.now() - start < DRAIN_SECONDS * 1000) await new Promise((r) => setTimeout(r, 50));
      await app.bot!.idle();
      send({ cmd: 'drained', backlog, drainMs: Date.now() - start, left: await queued(redis) });
    }
    if (msg.cmd === 'rss-start') {
      rss = sampleRss();
      gc = sampleGc();
    }
    if (msg.cmd === 'rss-stop') {
      const r = rss!.stop();
      send({ cmd: 'rss', start: r.start, end: r.end, max: r.max, gc: gc!.stop() });
    }
    if (msg.cmd === 'close') {
      await cleanup();
      process.exit(0);
    }
  });
  const webhook = await app.http!.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  send({ cmd: 'ready', webhook: `${webhook}/webhook`, bare: `${bareUrl}/bare`, turnsPid: turns?.pid ?? null });
}

(TURNS_CHILD ? turnsChild() : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
