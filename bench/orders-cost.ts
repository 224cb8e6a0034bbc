/**
 * npx tsx bench/orders-cost.ts — what ONE order costs, engine vs the bare transaction of bench:orders,
 * in figures that repeat from run to run (unlike orders/s on a shared machine): client statements and
 * bytes per order, server statements (including those run inside compound statements, procedures and
 * triggers), InnoDB rows touched, log fsyncs, and the CPU time of this process and of mysqld per order.
 *
 * Point it at a PRIVATE MariaDB (BENCH_MYSQL_URL, e.g. one started with mariadb-install-db on a spare
 * port, with --performance-schema=ON for the per-statement lines): the counters are the server's global
 * ones, so anything else running on that server is counted too. BENCH_MYSQLD_PID names the server's
 * process for its CPU time (default: the pid file it reports, if readable). BENCH_ORDERS per side, round and
 * scenario (default 1000), BENCH_ROUNDS alternating rounds (default 5; each figure is the median), BENCH_CLIENTS concurrent callers (default 8).
 */
import { readFileSync } from 'node:fs';
import type mysql from 'mysql2/promise';
import { openBench, type Placer } from './orders-setup.js';
import { median } from './bench-support.js';
import { calibrate, formatCalibration } from './calibration.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
/** BENCH_SIDES=engine (or bare) measures one side only; 'quote' adds quoteOrder (the engine's checks, nothing written), e.g. under `perf record -p <mysqld pid>` */
const SIDES = (process.env.BENCH_SIDES ?? 'bare,engine').split(',') as Array<'bare' | 'engine' | 'quote'>;
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'hot product,1,000 products');
const SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const DB_NAME = 'quicksell_bench_cost';

const STATUS = [
  'Questions', 'Bytes_received', 'Bytes_sent', 'Com_select', 'Com_insert', 'Com_update', 'Com_call_procedure', 'Com_set_option',
  'Com_begin', 'Com_commit', 'Com_rollback', 'Handler_read_key', 'Handler_read_next', 'Handler_read_rnd_next', 'Handler_write',
  'Handler_update', 'Handler_savepoint', 'Innodb_rows_inserted', 'Innodb_rows_updated', 'Innodb_rows_read', 'Innodb_os_log_fsyncs',
  'Innodb_data_fsyncs', 'Innodb_row_lock_waits', 'Innodb_row_lock_time',
];

type Status = Record<string, number>;

async function status(db: mysql.Pool): Promise<Status> {
  const [rows] = await db.query<mysql.RowDataPacket[]>('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [STATUS]);
  return Object.fromEntries(rows.map((r) => [r.Variable_name as string, Number(r.Value)]));
}

/** utime + stime of a process in ms (Linux /proc), or NaN */
function cpuMs(pid: number | null): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

async function mysqldPid(db: mysql.Pool): Promise<number | null> {
  if (process.env.BENCH_MYSQLD_PID) return Number(process.env.BENCH_MYSQLD_PID);
  try {
    const [[r]] = await db.query<mysql.RowDataPacket[]>('SELECT @@pid_file AS f');
    return Number(readFileSync(String(r!.f), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

async function perfSchema(db: mysql.Pool): Promise<boolean> {
  const [[r]] = await db.query<mysql.RowDataPacket[]>('SELECT @@performance_schema AS on_');
  return Number(r!.on_) === 1;
}

async function run(place: Placer, pick: () => number, users: number[], n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (next < n) {
        const i = next++;
        if (!(await place(c, pick(), users[i % users.length]!))) throw new Error('an order failed');
      }
    }),
  );
}

async function main(): Promise<void> {
  const calibration = await calibrate();
  console.log(formatCalibration(calibration));
  const bench = await openBench(SERVER_URL, DB_NAME);
  const { db } = bench;
  try {
    const pid = await mysqldPid(db);
    const ps = await perfSchema(db);
    await run(bench.engine, bench.scenarios['1,000 products'], bench.users.engine, 500); // warm-up
    await run(bench.bare, bench.scenarios['1,000 products'], bench.users.bare, 500);
    console.log(`orders-cost — ${ORDERS} orders per side and scenario, ${CLIENTS} clients; mysqld pid ${pid ?? '?'}; performance_schema ${ps ? 'on' : 'off'}`);
    for (const [scenario, pick] of Object.entries(bench.scenarios)) {
      if (!SCENARIOS.includes(scenario)) continue;
      // alternating rounds, so load from other processes hits both sides alike; each figure is the median
      const rounds: Record<string, Status[]> = { bare: [], engine: [], quote: [] };
      const stmts: Record<string, Map<string, { n: number; us: number }>> = {};
      for (let r = 0; r < ROUNDS; r++) {
        for (const side of SIDES) {
          if (ps) await db.query('TRUNCATE TABLE performance_schema.events_statements_summary_global_by_event_name');
          const before = await status(db);
          const node0 = process.cpuUsage();
          const mysqld0 = cpuMs(pid);
          const t0 = performance.now();
          await run(bench[side], pick, bench.users[side], ORDERS);
          const wall = performance.now() - t0;
          const node = process.cpuUsage(node0);
          const mysqld = cpuMs(pid) - mysqld0;
          const after = await status(db);
          const d: Status = {};
          for (const k of STATUS) d[k] = ((after[k] ?? 0) - (before[k] ?? 0)) / ORDERS;
          // the status query itself
          d.Questions! -= 1 / ORDERS;
          d['node CPU µs'] = (node.user + node.system) / ORDERS;
          d['mysqld CPU µs'] = (mysqld * 1000) / ORDERS;
          d['node+mysqld CPU µs'] = d['node CPU µs']! + d['mysqld CPU µs']!;
          d['orders/s'] = ORDERS / (wall / 1000);
          rounds[side]!.push(d);
          if (ps && r === ROUNDS - 1) {
            const [rows] = await db.query<mysql.RowDataPacket[]>(
              `SELECT EVENT_NAME AS e, COUNT_STAR AS n, SUM_TIMER_WAIT AS t FROM performance_schema.events_statements_summary_global_by_event_name
                WHERE COUNT_STAR > 0`,
            );
            stmts[side] = new Map(rows.map((x) => [String(x.e).replace(/^statement\//, ''), { n: Number(x.n) / ORDERS, us: Number(x.t) / 1e6 / ORDERS }]));
          }
        }
      }
      const medianOf = (side: string, k: string) => median(rounds[side]!.map((d) => d[k] ?? 0));
      const quote = SIDES.includes('quote');
      console.log(`\n${scenario}: per order (median of ${ROUNDS} alternating rounds)      bare      engine   engine/bare${quote ? '   quote (checks only)' : ''}`);
      for (const k of ['orders/s', 'node CPU µs', 'mysqld CPU µs', 'node+mysqld CPU µs', ...STATUS]) {
        const b = medianOf('bare', k);
        const e = medianOf('engine', k);
        if (b === 0 && e === 0) continue;
        const qt = quote ? medianOf('quote', k).toFixed(2).padStart(12) : '';
        console.log(`  ${k.padEnd(48)} ${b.toFixed(2).padStart(9)} ${e.toFixed(2).padStart(11)} ${b ? (e / b).toFixed(2).padStart(9) : ''.padStart(9)}${qt}`);
      }
      if (ps) {
        console.log(`  server statements (performance_schema, last round; count per order, server wall µs per order)`);
        const names = new Set([...(stmts.bare?.keys() ?? []), ...(stmts.engine?.keys() ?? [])]);
        const none = { n: 0, us: 0 };
        const list = [...names].map((k) => ({ k, b: stmts.bare?.get(k) ?? none, e: stmts.engine?.get(k) ?? none }));
        list.sort((x, y) => y.e.us + y.b.us - (x.e.us + x.b.us));
        for (const { k, b, e } of list) {
          if (b.n < 0.01 && e.n < 0.01) continue;
          console.log(`  ${k.padEnd(28)} ${b.n.toFixed(2).padStart(6)} ${b.us.toFixed(0).padStart(6)} µs | ${e.n.toFixed(2).padStart(6)} ${e.us.toFixed(0).padStart(6)} µs`);
        }
      }
    }
  } finally {
    await bench.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
