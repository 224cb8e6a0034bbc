/**
 * npm run bench:api — POST /api/orders through the whole stack (auth, validation, engine transaction,
 * outbox publish) against the same engine called in-process by the same number of concurrent loops, in
 * the same run: the ceiling. The server (bench/api-server.ts) is a process of its own; autocannon, the
 * load generator, runs here, in this process, so it never shares the server's event loop or its CPU
 * accounting. The two are measured in alternating slices (BENCH_ROUNDS × BENCH_SECONDS each) so load
 * from other processes on the machine hits both alike. Orders are spread over 1,000 products and
 * 1,000 users. Own database (quicksell_bench_api) and Redis key prefix, removed at the end.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuMeter, formatRss, reportSummary, serverPids, type RssFigures, next } from './bench-support.js';
import { orderBody } from './api-orders.js';
import { calibrate, formatCalibration } from './calibration.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_SECONDS = 2;
const TARGET = 0.8;


interface Ready {
  url: string;
  key: string;
  productIds: number[];
  userIds: number[];
}
interface Engine {
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  refused: number;
}

async function main(): Promise<void> {
  const calibration = await calibrate();
  console.log(formatCalibration(calibration));
  const child = fork(fileURLToPath(new URL('./api-server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [])],
  });
  try {
    const ready = await next<Ready>(child, 'ready');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${ready.key}` };
    const api = (seconds: number) =>
      autocannon({
        url: ready.url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [{ method: 'POST', headers, setupRequest: (req) => ({ ...req, body: orderBody(ready.productIds, ready.userIds) }) }],
      });
    console.log(`bench:api — ${ROUNDS} alternating rounds × ${SECONDS} s each side, ${CONNECTIONS} connections / in-process loops; server pid ${child.pid}, autocannon pid ${process.pid}`);
    await api(WARMUP_SECONDS); // JIT, pool and buffer pool warm-up, not reported
    child.send({ cmd: 'rss-start' });
    let apiRequests = 0;
    let apiOk = 0;
    let apiSeconds = 0;
    let apiP99 = 0;
    let apiErrors = 0;
    const engines: Engine[] = [];
    // where each side's CPU goes, per order: the HTTP layer's cost in the server, and the load generator's
    const pids = { server: child.pid ?? null, 'load generator (autocannon, this process)': process.pid, ...serverPids() };
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      const apiCpu = cpuMeter(pids);
      const res = await api(SECONDS);
      console.log(`  round ${r + 1} API CPU per order: ${apiCpu(res['2xx'])}`);
      apiSeconds += (performance.now() - t) / 1000;
      apiOk += res['2xx'];
      apiRequests += res.requests.total;
      apiErrors += res.non2xx + res.errors + res.timeouts;
      apiP99 = Math.max(apiP99, res.latency.p99);
      const engineCpu = cpuMeter(pids);
      child.send({ cmd: 'engine', seconds: SECONDS, connections: CONNECTIONS });
      engines.push(await next<Engine>(child, 'engine-done'));
      console.log(`  round ${r + 1} engine CPU per order: ${engineCpu(engines.at(-1)!.ok)}`);
    }
    child.send({ cmd: 'rss-stop' });
    const rss = await next<RssFigures>(child, 'rss');
    child.send({ cmd: 'count' });
    const counted = await next<{ n: number }>(child, 'counted');
    const apiRate = apiOk / apiSeconds;
    const engineRate = engines.reduce((s, e) => s + e.perSecond, 0) / engines.length;
    const ratio = apiRate / engineRate;
    console.log(`POST /api/orders       ${apiRate.toFixed(0).padStart(6)} orders/s   p99 (worst slice) ${apiP99} ms   201 ${apiOk} of ${apiRequests}   non-2xx/errors ${apiErrors}`);
    console.log(`engine, in-process     ${engineRate.toFixed(0).padStart(6)} orders/s   p99 (worst slice) ${Math.max(...engines.map((e) => e.p99)).toFixed(0)} ms   ok ${engines.reduce((s, e) => s + e.ok, 0)}   refused ${engines.reduce((s, e) => s + e.refused, 0)}`);
    console.log(`ratio api/engine: ${ratio.toFixed(2)} (target >= ${TARGET}: what auth, parsing, validation and HTTP cost); orders in the database ${counted.n}`);
    console.log(`server process ${formatRss(rss)}`);
    reportSummary(
      [
        { bench: 'api', figure: 'POST /api/orders orders/s vs engine in-process', value: apiRate, ceiling: engineRate, ratio, target: `>= ${TARGET}`, met: ratio >= TARGET },
      ],
      rss,
      calibration,
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
