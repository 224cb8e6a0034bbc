/**
 * npm run bench:orders — the order engine's createOrder against the bare minimal SQL transaction an
 * order needs (insert order, reserve with a conditional update, insert item and reservation, commit:
 * no app code), measured in the same run on the same database, so the engine's figure is a ratio to
 * that ceiling. N concurrent clients (1, 8, 32) place orders (a) all on one hot product and (b) spread
 * over 1,000 products. Uses its own database quicksell_bench (created and dropped here); never touches
 * any other. The two are measured in alternating slices (BENCH_ROUNDS × BENCH_SECONDS each, default
 * 3 × 1 s) so that load from other processes on the machine hits both alike.
 */
import { loadavg } from 'node:os';
import type mysql from 'mysql2/promise';
import { formatRss, reportSummary, sampleRss, type SummaryRow } from './bench-support.js';
import { openBench, type Placer } from './orders-setup.js';
import { calibrate, formatCalibration } from './calibration.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8,32').split(",").map(Number);
const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench';

interface Slice {
  latencies: number[];
  failed: number;
  elapsed: number;
}
interface Figures {
  ordersPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
}

async function measure(place: Placer, clients: number, pickProduct: () => number, users: number[]): Promise<Slice> {
  const latencies: number[] = [];
  let failed = 0;
  const until = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      let i = c;
      while (performance.now() < until) {
        const t = performance.now();
        const ok = await place(c, pickProduct(), users[(i += clients) % users.length]!);
        latencies.push(performance.now() - t);
        if (!ok) failed++;
      }
    }),
  );
  return { latencies, failed, elapsed: (performance.now() - start) / 1000 };
}

function summarize(slices: Slice[]): Figures {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const failed = slices.reduce((n, s) => n + s.failed, 0);
  const elapsed = slices.reduce((t, s) => t + s.elapsed, 0);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { ordersPerSecond: (latencies.length - failed) / elapsed, p50: q(0.5), p99: q(0.99), failed };
}

/** bare and engine in alternating slices, so both see the same background load */
async function compare(engine: Placer, bare: Placer, clients: number, pick: () => number, users: { engine: number[]; bare: number[] }): Promise<[Figures, Figures]> {
  const b: Slice[] = [];
  const e: Slice[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    b.push(await measure(bare, clients, pick, users.bare));
    e.push(await measure(engine, clients, pick, users.engine));
  }
  return [summarize(b), summarize(e)];
}

async function main(): Promise<void> {
  const calibration = await calibrate();
  console.log(formatCalibration(calibration));
  const { db, users, engine, bare, scenarios, close } = await openBench(SERVER_URL, DB_NAME);
  try {
    await measure(engine, 4, scenarios['1,000 products'], users.engine); // warm-up: JIT, pool, buffer pool
    console.log(`bench:orders — ${ROUNDS} alternating rounds × ${SECONDS}s each side, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, MariaDB ${(await db.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v'))[0][0]!.v}`);
    console.log('scenario         clients | bare SQL ceiling: orders/s  p50 ms  p99 ms | engine: orders/s  p50 ms  p99 ms  failed | ratio');
    const verdicts: string[] = [];
    const summary: SummaryRow[] = [];
    const rss = sampleRss();
    for (const [name, pick] of Object.entries(scenarios)) {
      for (const clients of CLIENTS) {
        const [b, e] = await compare(engine, bare, clients, pick, users);
        if (clients === 8) {
          const ratio = e.ordersPerSecond / b.ordersPerSecond;
          verdicts.push(`${name} @8: ratio ${ratio.toFixed(2)} ${ratio >= 0.8 ? '>=' : '<'} 0.8, p99 ${e.p99.toFixed(1)} ms ${e.p99 < 20 ? '<' : '>='} 20 ms`);
          const target = name === 'hot product' ? '>= 0.8 (stretch 1.0)' : '>= 0.8';
          summary.push({ bench: 'orders', figure: `engine orders/s, ${name} @8`, value: e.ordersPerSecond, ceiling: b.ordersPerSecond, ratio, target, met: ratio >= 0.8 });
          summary.push({ bench: 'orders', figure: `engine p99 ms, ${name} @8`, value: e.p99, ceiling: null, ratio: null, target: '< 20 ms', met: e.p99 < 20 });
        }
        console.log(
          `${name.padEnd(16)} ${String(clients).padStart(7)} | ${b.ordersPerSecond.toFixed(0).padStart(26)} ${b.p50.toFixed(1).padStart(7)} ${b.p99.toFixed(1).padStart(7)} | ` +
            `${e.ordersPerSecond.toFixed(0).padStart(16)} ${e.p50.toFixed(1).padStart(7)} ${e.p99.toFixed(1).padStart(7)} ${String(e.failed).padStart(7)} | ${(e.ordersPerSecond / b.ordersPerSecond).toFixed(2)}`,
        );
      }
    }
    const memory = rss.stop();
    console.log(`target: engine >= 0.8 × the ceiling and p99 < 20 ms at 8 clients — ${verdicts.join('; ')}`);
    console.log(`engine process (this one) ${formatRss(memory)}`);
    reportSummary(summary, memory, calibration);
    console.log(`load after: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores shared with other processes)`);
  } finally {
    await close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
