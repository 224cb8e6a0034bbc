/**
 * npm run bench — every bench in sequence, each in its own process, with short defaults (a few minutes in
 * all), then ONE summary table of what they reported (figure, ceiling, ratio, target, met?) and the server
 * RSS each saw under load. Any BENCH_* variable set in the environment is passed through and wins over the
 * defaults below (see bench/README.md); BENCH_ONLY=orders,jobs runs a subset.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import type { MachineReport, RssFigures, SummaryRow } from './bench-support.js';
import { formatCores, formatRoundTrip, REFERENCE, waited } from './calibration.js';

const BENCHES: Array<{ name: string; file: string; defaults: Record<string, string> }> = [
  { name: 'orders', file: 'bench/orders.ts', defaults: { BENCH_CLIENTS: '8', BENCH_SECONDS: '1', BENCH_ROUNDS: '3' } },
  { name: 'api', file: 'bench/api.ts', defaults: { BENCH_SECONDS: '4' } },
  // 10,000 jobs: with 2,000 the send-only ceiling's run lasted 0.3-0.9 s, mostly its workers' ramp-up, and read
  // half of what it reaches in a longer run (2,200 against 4,900 jobs/s at concurrency 10), flattering the ratio
  { name: 'jobs', file: 'bench/jobs.ts', defaults: { BENCH_JOBS: '10000', BENCH_CONCURRENCY: '10,50' } },
  { name: 'webhook', file: 'bench/webhook.ts', defaults: { BENCH_SECONDS: '3' } },
  // The same bench in the split deployment (TURN_PROCESS=worker: web processes only ack, a worker process runs
  // the turns), so the summary shows both ways of running QuickSell; its rows say which one they measure.
  { name: 'webhook-split', file: 'bench/webhook.ts', defaults: { BENCH_SECONDS: '3', BENCH_TURN_PROCESS: 'worker' } },
];

interface Reported {
  bench: string;
  rows: SummaryRow[];
  rss?: RssFigures;
  machine?: MachineReport;
  exit: number | null;
}

function runBench(b: (typeof BENCHES)[number]): Promise<Reported> {
  return new Promise((resolve) => {
    const env = { ...b.defaults, ...process.env };
    const child = spawn(process.execPath, ['--import', 'tsx', b.file], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Reported = { bench: b.name, rows: [], exit: null };
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('BENCH-SUMMARY ')) {
          const r = JSON.parse(line.slice('BENCH-SUMMARY '.length)) as { rows: SummaryRow[]; rss?: RssFigures; machine?: MachineReport };
          out.rows.push(...r.rows);
          if (r.rss) out.rss = r.rss;
          if (r.machine) out.machine = r.machine;
        } else console.log(`  [${b.name}] ${line}`);
      }
    });
    child.on('exit', (code) => resolve({ ...out, exit: code }));
  });
}

const fmt = (v: number | null, digits = 0) => (v === null ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const started = Date.now();
  const load = loadavg()[0]!.toFixed(1);
  const reports: Reported[] = [];
  for (const b of BENCHES.filter((x) => !only || only.includes(x.name))) {
    console.log(`== bench:${b.name}`);
    reports.push(await runBench(b));
  }
  const rows = reports.flatMap((r) => r.rows);
  const w = Math.max(6, ...rows.map((r) => r.figure.length));
  console.log(`\nsummary (${((Date.now() - started) / 1000).toFixed(0)} s, load average ${load} at start → ${loadavg()[0]!.toFixed(1)}; 2 cores shared: trust the ratios)`);
  console.log(`${'bench'.padEnd(8)} ${'figure'.padEnd(w)} ${'value'.padStart(9)} ${'ceiling'.padStart(9)} ${'ratio'.padStart(6)}  ${'target'.padEnd(22)} met?`);
  for (const r of rows) {
    console.log(`${r.bench.padEnd(8)} ${r.figure.padEnd(w)} ${fmt(r.value, r.value < 100 ? 1 : 0).padStart(9)} ${fmt(r.ceiling).padStart(9)} ${fmt(r.ratio, 2).padStart(6)}  ${r.target.padEnd(22)} ${r.met ? 'yes' : 'NO'}`);
  }
  console.log('server RSS under load (MiB): ' + reports.map((r) => `${r.bench} ${r.rss ? `${r.rss.start.toFixed(0)}→${r.rss.end.toFixed(0)} (max ${r.rss.max.toFixed(0)})` : '—'}`).join(', '));
  // the machine each bench ran on: the same code reads up to 3× apart between sessions on this shared machine
  console.log(`machine (speed: the calibration loops against the reference machine idle on ${REFERENCE.measured}, 1.00 = as fast; cores: over the bench):`);
  for (const r of reports.filter((x) => x.machine)) {
    const { calibration: c, cores } = r.machine!;
    const db = c.mariadbMs === null ? '—' : (REFERENCE.mariadbMs / c.mariadbMs).toFixed(2);
    console.log(`  ${r.bench.padEnd(14)} Node ${(REFERENCE.nodeMs / c.nodeCpuMs).toFixed(2)} (${waited(c)} % waiting for a core), MariaDB ${db}, ${formatRoundTrip(c)}; ${formatCores(cores)}`);
  }
  const broken = reports.filter((r) => r.exit !== 0);
  if (broken.length) {
    console.log(`failed: ${broken.map((r) => `${r.bench} (exit ${r.exit})`).join(', ')}`);
    process.exitCode = 1;
  }
}

void main();
