/**
 * The server side of bench/live.ts, in its own process: the whole app with workers (webhook, per-post
 * comment inbox, live-sale claims, notifications worker sending the Private Replies), a bare Fastify
 * route (the ack ceiling) and the fake Graph API. IPC: 'ready' {webhook, bare, postId}; 'collect' →
 * 'collected' {handled, holds, waitlisted, replies: {comment_id: at}}.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { RowDataPacket } from 'mysql2';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { withDatabase } from '../src/db/pool.js';
import { buildApp } from '../src/app.js';
import { startFakeGraph } from '../src/simulator/fake-graph.js';
import { deleteKeysByPrefix, dropDatabase } from './bench-support.js';

const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench_live';
const PREFIX = `{bench-live-${process.pid}}`;
const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 500);
const send = (msg: unknown) => process.send!(msg);

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
    SEND_API_RATE_PER_SECOND: '300',
    NOTIFICATION_CONCURRENCY: '50',
  });
  const app = await buildApp(config, { workers: true });
  await app.start();
  const [[product]] = (await app.db.query<RowDataPacket[]>(
    `INSERT INTO products (sku, name, price, stock_quantity, status, category) VALUES ('BENCH-M1', 'Blue dress', 350, 5, 'active', 'Bench') RETURNING id`,
  )) as unknown as [RowDataPacket[]];
  const postId = `PAGE_${Date.now()}`;
  const sale = await app.live.createSale({ post_id: postId, items: [{ code: 'M1', product_id: Number(product!.id) }] }, 'bench');
  if (!sale.success) throw new Error(sale.error);
  const bare = Fastify();
  bare.post('/bare', async (_req, reply) => reply.code(200).send('EVENT_RECEIVED'));
  const redis = new Redis(config.REDIS_URL);

  process.on('message', async (msg: { cmd: string }) => {
    if (msg.cmd === 'collect') {
      const started = Date.now();
      let handled = 0;
      while (Date.now() - started < 120_000) {
        const [[r]] = (await app.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM live_comments')) as unknown as [RowDataPacket[]];
        handled = Number(r!.n);
        const replies = graph.messages.filter((m) => 'comment_id' in m.body.recipient).length;
        if (handled >= COMMENTS && replies >= COMMENTS) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      const [[last]] = (await app.db.query<RowDataPacket[]>('SELECT UNIX_TIMESTAMP(MAX(created_at)) * 1000 AS at FROM live_comments')) as unknown as [RowDataPacket[]];
      const [claims] = await app.db.query<RowDataPacket[]>('SELECT status, COUNT(*) AS n FROM live_claims GROUP BY status');
      const replies: Record<string, number> = {};
      for (const m of graph.messages) if ('comment_id' in m.body.recipient) replies[m.body.recipient.comment_id] = m.at;
      send({ cmd: 'collected', handled, lastHandledAt: Number(last!.at), claims: Object.fromEntries(claims.map((c) => [c.status, Number(c.n)])), replies });
    }
    if (msg.cmd === 'close') {
      await bare.close();
      await app.close();
      await graph.close();
      await dropDatabase(SERVER_URL, DB_NAME);
      await deleteKeysByPrefix(redis, PREFIX);
      await redis.quit();
      process.exit(0);
    }
  });
  const webhook = await app.http!.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
  send({ cmd: 'ready', webhook: `${webhook}/webhook`, bare: `${bareUrl}/bare`, postId });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
