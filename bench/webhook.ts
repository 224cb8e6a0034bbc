/**
 * npm run bench:webhook — signed Messenger webhook posts (one text event each, spread over 200 distinct
 * users) sent as fast as the server takes them, Graph API faked locally; against a bare Fastify route
 * answering 200 to the same bodies, served by the same process in the same run: the ceiling. The server
 * runs in a child process (bench/webhook-server.ts) so this load generator does not share its event
 * loop. The bare route is measured first, then the webhook (whose turns start running at once, as in
 * production), then the queued turns are drained and their rate printed. Own database
 * (quicksell_bench_webhook, created and dropped by the server) and own Redis key prefix.
 * BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 50), BENCH_DRAIN_SECONDS (default 60);
 * BENCH_CPU_PROF=<dir> writes a CPU profile of the server process there.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signBody } from '../src/bot/signature.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const USERS = 200;
const SECRET = `bench-${randomUUID()}`;

let n = 0;
/** One Messenger text event from one of 200 users, with a fresh message id, and its signature. */
function signedEvent(): { body: string; signature: string } {
  n += 1;
  const event = { sender: { id: `bench-user-${n % USERS}` }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message: { mid: `m.${n}.${randomUUID()}`, text: 'help' } };
  const body = JSON.stringify({ object: 'page', entry: [{ id: 'PAGE', time: Date.now(), messaging: [event] }] });
  return { body, signature: signBody(body, SECRET) };
}

function run(url: string): Promise<autocannon.Result> {
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
  return `${label.padEnd(20)} ${r.requests.average.toFixed(0).padStart(6)} events/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   2xx ${r['2xx']}   non-2xx ${r.non2xx}   errors ${r.errors + r.timeouts}`;
}

function next<T>(child: ChildProcess, cmd: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: { cmd: string } & T) => {
      if (msg.cmd !== cmd) return;
      child.off('message', onMessage);
      resolve(msg);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(new URL('./webhook-server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [])],
    env: { ...process.env, BENCH_APP_SECRET: SECRET },
  });
  try {
    const { webhook, bare } = await next<{ webhook: string; bare: string }>(child, 'ready');
    console.log(`bench:webhook — ${SECONDS} s each, ${CONNECTIONS} connections, ${USERS} distinct users, Graph API faked locally, server in its own process`);
    const ceiling = await run(bare);
    const hook = await run(webhook);
    child.send({ cmd: 'drain' });
    const d = await next<{ repliesAtStart: number; backlog: number; replies: number; drainMs: number; left: number }>(child, 'drained');
    console.log(line('bare Fastify 200', ceiling));
    console.log(line('POST /webhook', hook));
    console.log(
      `ratio webhook/bare: ${(hook.requests.average / ceiling.requests.average).toFixed(3)} of the ceiling's events/s; ` +
        `p99 ${hook.latency.p99} ms vs ${ceiling.latency.p99} ms (${(hook.latency.p99 / Math.max(1, ceiling.latency.p99)).toFixed(1)}×)`,
    );
    console.log(
      `turns: ${hook['2xx']} events accepted; ${d.repliesAtStart} answered during the ${SECONDS} s run, backlog ${d.backlog} drained in ` +
        `${(d.drainMs / 1000).toFixed(1)} s → ${(d.replies / (SECONDS + d.drainMs / 1000)).toFixed(0)} turns/s overall (${d.replies} replies); left undrained ${d.left}`,
    );
  } finally {
    child.send({ cmd: 'close' });
    await new Promise((r) => child.once('exit', r));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
