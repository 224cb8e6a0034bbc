import { next } from './bench-support.js';
/**
 * npm run bench:live — a live-sale burst: BENCH_COMMENTS (default 500) signed Page-feed webhook posts,
 * one "mine M1" comment each from a distinct buyer, on one post whose code M1 has 5 units, sent as fast
 * as the server takes them (BENCH_CONNECTIONS, default 50). Printed: the bare ack ceiling (a Fastify
 * route answering 200 to the same bodies, same process, same run), the webhook's ack rate, the rate at
 * which comments were handled (claim/waitlist committed) from the first send to the last comment row,
 * and comment → Private Reply latency p50/p99 (send time → the fake Graph receiving the reply). The
 * server runs in its own process (bench/live-server.ts) with its own database and Redis prefix.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signBody } from '../src/bot/signature.js';
import { calibrate, coresSince, formatCalibration, formatCores } from './calibration.js';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 500);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECRET = `bench-${randomUUID()}`;

function commentBody(postId: string, i: number): { id: string; body: string; signature: string } {
  const id = `${postId}_${i}_${randomUUID().slice(0, 8)}`;
  const value = { from: { id: `fb-${i}`, name: `Buyer ${i}` }, post_id: postId, comment_id: id, parent_id: postId, message: 'mine M1', created_time: Math.floor(Date.now() / 1000), item: 'comment', verb: 'add' };
  const body = JSON.stringify({ object: 'page', entry: [{ id: 'PAGE', time: Date.now(), changes: [{ field: 'feed', value }] }] });
  return { id, body, signature: signBody(body, SECRET) };
}

function run(url: string, postId: string, sentAt: Map<string, number> | null): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    amount: COMMENTS,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const c = commentBody(postId, i++);
          sentAt?.set(c.id, Date.now());
          return { ...req, body: c.body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': c.signature } };
        },
      },
    ],
  });
}


const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;
const rate = (r: autocannon.Result) => (r['2xx'] / Math.max(0.001, r.duration)).toFixed(0);

async function main(): Promise<void> {
  const calibration = await calibrate();
  console.log(formatCalibration(calibration));
  const child = fork(fileURLToPath(new URL('./live-server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_APP_SECRET: SECRET, BENCH_COMMENTS: String(COMMENTS) },
  });
  try {
    const { webhook, bare, postId } = await next<{ webhook: string; bare: string; postId: string }>(child, 'ready');
    console.log(`bench:live — ${COMMENTS} "mine M1" comments from distinct buyers on one code with 5 units, ${CONNECTIONS} connections, Graph faked, server in its own process`);
    const ceiling = await run(bare, postId, null);
    const sentAt = new Map<string, number>();
    const t0 = Date.now();
    const hook = await run(webhook, postId, sentAt);
    child.send({ cmd: 'collect' });
    const got = await next<{ handled: number; lastHandledAt: number; claims: Record<string, number>; replies: Record<string, number> }>(child, 'collected');
    const latencies = [...sentAt].map(([id, at]) => (got.replies[id] ?? NaN) - at).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    const handledSeconds = Math.max(0.001, (got.lastHandledAt - t0) / 1000);
    console.log(`bare Fastify 200      ${rate(ceiling).padStart(6)} acks/s   p99 ${ceiling.latency.p99} ms   (${ceiling['2xx']} requests)`);
    console.log(`POST /webhook (feed)  ${rate(hook).padStart(6)} acks/s   p99 ${hook.latency.p99} ms   (${hook['2xx']} 2xx, ${hook.non2xx} non-2xx, ${hook.errors} errors)`);
    console.log(`comments handled      ${(got.handled / handledSeconds).toFixed(0).padStart(6)} comments/s  (${got.handled} in ${handledSeconds.toFixed(2)} s from the first send; ${(got.handled / handledSeconds / Number(rate(ceiling))).toFixed(3)} of the ack ceiling)`);
    console.log(`claims                ${JSON.stringify(got.claims)}   private replies ${latencies.length}/${COMMENTS}`);
    console.log(formatCores(coresSince(calibration.cores)));
    console.log(`comment → private reply   p50 ${pct(latencies, 50)} ms   p99 ${pct(latencies, 99)} ms   max ${latencies.at(-1)} ms`);
  } finally {
    child.send({ cmd: 'close' });
    await new Promise((r) => child.once('exit', r));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
