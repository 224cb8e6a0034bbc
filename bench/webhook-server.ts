/**
 * The server side of bench/webhook.ts, in its own process so the load generator does not share its
 * event loop: the whole app (webhook, turn runner, Botkit turns), a bare Fastify route, and the fake
 * Graph API. Talks to the parent over IPC: 'ready' {webhook, bare}; 'drain' → 'drained' {stats}.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { withDatabase } from '../src/db/pool.js';
import { buildApp } from '../src/app.js';
import { startFakeGraph } from '../src/simulator/fake-graph.js';
import { deleteKeysByPrefix, dropDatabase } from './bench-support.js';

const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench_webhook';
const PREFIX = `{bench-webhook-${process.pid}}`;
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 60);
const send = (msg: unknown) => process.send!(msg);

async function queued(redis: Redis): Promise<number> {
  const psids = await redis.smembers(`${PREFIX}:bot:pending`);
  const lens = await Promise.all(psids.map((p) => redis.llen(`${PREFIX}:bot:inbox:${p}`)));
  return lens.reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  await dropDatabase(SERVER_URL, DB_NAME);
  await migrate(withDatabase(SERVER_URL, DB_NAME));
  const graph = await startFakeGraph();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: withDatabase(SERVER_URL, DB_NAME),
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'silent',
    SIMULATOR: 'off',
    DEMO_SEED: 'false',
    GRAPH_API_URL: graph.url,
    FB_PAGE_ACCESS_TOKEN: 'bench-page-token',
    FB_APP_SECRET: process.env.BENCH_APP_SECRET,
    FB_VERIFY_TOKEN: 'bench-verify',
  });
  const app = await buildApp(config, { workers: false });
  const bare = Fastify();
  bare.post('/bare', async (_req, reply) => reply.code(200).send('EVENT_RECEIVED'));
  const redis = new Redis(config.REDIS_URL);

  async function cleanup(): Promise<void> {
    await bare.close();
    await app.close();
    await graph.close();
    await dropDatabase(SERVER_URL, DB_NAME);
    await deleteKeysByPrefix(redis, PREFIX);
    await redis.quit();
  }

  process.on('message', async (msg: { cmd: string }) => {
    if (msg.cmd === 'drain') {
      const repliesAtStart = graph.messages.length;
      const backlog = await queued(redis);
      const start = Date.now();
      while ((await queued(redis)) > 0 && Date.now() - start < DRAIN_SECONDS * 1000) await new Promise((r) => setTimeout(r, 200));
      await app.bot!.idle();
      send({ cmd: 'drained', repliesAtStart, backlog, replies: graph.messages.length, drainMs: Date.now() - start, left: await queued(redis) });
    }
    if (msg.cmd === 'close') {
      await cleanup();
      process.exit(0);
    }
  });
  const webhook = await app.http!.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  send({ cmd: 'ready', webhook: `${webhook}/webhook`, bare: `${bareUrl}/bare` });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
