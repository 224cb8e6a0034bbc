/**
 * npm run bench:webhook — signed Messenger webhook posts (one text event each, spread over 200 distinct
 * users) sent as fast as the server takes them, Graph API faked locally; against a bare Fastify route
 * answering 200 to the same bodies in the same process and run: the ceiling. Then the turns queued by
 * the run are drained (per-user serialized Botkit turns, each replying through the fake Graph API) and
 * their rate is printed too. Own database (quicksell_bench_webhook, created and dropped here) and own
 * Redis key prefix. BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 50), BENCH_DRAIN_SECONDS
 * (default 60) tune the run.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.js';
import { migrate } from '../src/db/migrate.js';
import { withDatabase } from '../src/db/pool.js';
import { buildApp } from '../src/app.js';
import { startFakeGraph } from '../src/simulator/fake-graph.js';
import { signBody } from '../src/bot/signature.js';
import { deleteKeysByPrefix, dropDatabase as dropDbNamed } from './bench-support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 60);
const USERS = 200;
const SECRET = 'bench-webhook-secret';
const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench_webhook';
const DB_URL = withDatabase(SERVER_URL, DB_NAME);
const PREFIX = `{bench-webhook-${process.pid}}`;

const dropDatabase = () => dropDbNamed(SERVER_URL, DB_NAME);

let n = 0;
/** One Messenger text event from one of 200 users, with a fresh message id and its signature. */
function signedEvent(): { body: string; signature: string } {
  n += 1;
  const body = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: 'PAGE',
        time: Date.now(),
        messaging: [{ sender: { id: `bench-user-${n % USERS}` }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message: { mid: `m.${n}.${randomUUID()}`, text: 'help' } }],
      },
    ],
  });
  return { body, signature: signBody(body, SECRET) };
}

async function run(url: string): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const { body, signature } = signedEvent();
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
        },
      },
    ],
  });
}

function line(label: string, r: autocannon.Result): string {
  return `${label.padEnd(24)} ${r.requests.average.toFixed(0).padStart(7)} events/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   2xx ${r['2xx']}   non-2xx ${r.non2xx}   errors ${r.errors + r.timeouts}`;
}

async function queued(redis: Redis): Promise<number> {
  const psids = await redis.smembers(`${PREFIX}:bot:pending`);
  const lens = await Promise.all(psids.map((p) => redis.llen(`${PREFIX}:bot:inbox:${p}`)));
  return lens.reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  await dropDatabase();
  await migrate(DB_URL);
  const graph = await startFakeGraph();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: DB_URL,
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'silent',
    SIMULATOR: 'off',
    DEMO_SEED: 'false',
    GRAPH_API_URL: graph.url,
    FB_PAGE_ACCESS_TOKEN: 'bench-page-token',
    FB_APP_SECRET: SECRET,
    FB_VERIFY_TOKEN: 'bench-verify',
  });
  const app = await buildApp(config, { workers: false });
  const bare = Fastify();
  bare.post('/bare', async (_req, reply) => reply.code(200).send('EVENT_RECEIVED'));
  const redis = new Redis(config.REDIS_URL);
  try {
    const url = await app.http!.listen({ port: 0, host: '127.0.0.1' });
    const ceiling = await bare.listen({ port: 0, host: '127.0.0.1' });
    console.log(`bench:webhook — ${SECONDS} s each, ${CONNECTIONS} connections, ${USERS} distinct users, Graph API faked locally`);

    const hook = await run(`${url}/webhook`);
    const accepted = hook['2xx'];
    const drainStart = Date.now();
    const backlog = await queued(redis);
    const processedBefore = graph.messages.length;
    while ((await queued(redis)) > 0 && Date.now() - drainStart < DRAIN_SECONDS * 1000) await new Promise((r) => setTimeout(r, 200));
    await app.bot.idle();
    const drainMs = Date.now() - drainStart;
    const replies = graph.messages.length;
    const left = await queued(redis);

    const bareResult = await run(`${ceiling}/bare`);
    console.log(line('POST /webhook', hook));
    console.log(line('bare Fastify 200', bareResult));
    console.log(
      `ratio webhook/bare: ${(hook.requests.average / bareResult.requests.average).toFixed(3)} of the ceiling's events/s; ` +
        `p99 ${hook.latency.p99} ms vs ${bareResult.latency.p99} ms`,
    );
    console.log(
      `turns: ${accepted} events accepted, ${replies} replies sent (${processedBefore} during the run); backlog at the end of the run ${backlog}, ` +
        `drained in ${(drainMs / 1000).toFixed(1)} s → ${(replies / ((SECONDS * 1000 + drainMs) / 1000)).toFixed(0)} turns/s overall; left undrained ${left}`,
    );
  } finally {
    await bare.close();
    await app.close();
    await graph.close();
    await dropDatabase();
    await deleteKeysByPrefix(redis, PREFIX);
    await redis.quit();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
