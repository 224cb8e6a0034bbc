/**
 * A fixed amount of work timed at the start of every bench, and what the machine's cores did during it, so
 * figures from different sessions can be compared: on this shared machine the same code has read up to 3×
 * apart from one session to the next. The ratios each bench prints are measured against a ceiling in the
 * same run and need none of this; absolute rates (orders/s, turns/s) do.
 *
 * - **Node loop**: 80 M integer steps that allocate nothing, in this process (the median of three rounds
 *   after a warm-up). Its CPU time gives the speed of a core; wall time above it, how long the loop waited for
 *   one (other work on the machine). CPU time and wall time both: wall well above CPU means the
 *   process waited for a core.
 * - **MariaDB loop**: `SELECT BENCHMARK(500000, MD5(…))` on the bench's server (its CPU speed, and how
 *   busy it is).
 * - **Round trip**: 2,000 `DO 1` one after another on one connection, µs each (the median of three blocks):
 *   a loopback write, the server woken to answer, the reply read. The ceilings are made of little else (a
 *   send-only worker, a bare route with one Redis write), so when these cost less the ceilings gain more than
 *   the work measured against them, and the ratios fall (round 11: loops 1.2 of the reference, 1.1x round 8's,
 *   while every ceiling ran 1.5-1.9x round 8's rate; bench/README.md, "Comparing sessions"). No speed index: the
 *   reference machine's round trip was not recorded. It is noisy: 25-99 µs across one day's fifteen benches.
 * - **Cores** (Linux /proc/stat, all cores): how busy they were over the bench, and the **steal** share:
 *   time the hypervisor gave this machine's virtual cores to someone else.
 *
 * Each loop is also printed as a speed index against the REFERENCE below (higher is faster; 1.00 is the
 * reference machine's speed): divide a figure by it to compare sessions.
 */
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';

/** The loops' times on this project's 2-core bench machine, idle, on 2026-11-29 (Node: CPU time; medians of runs). */
export const REFERENCE = { nodeMs: 116, mariadbMs: 195, measured: '2026-11-29' };

export interface CoreTimes {
  /** clock ticks since boot, summed over all cores */
  busy: number;
  idle: number;
  steal: number;
}

export interface Calibration {
  nodeCpuMs: number;
  nodeWallMs: number;
  /** null when the server could not be asked */
  mariadbMs: number | null;
  /** µs per `DO 1` round trip on one connection; null when the server could not be asked (absent before round 11) */
  roundTripUs?: number | null;
  cores: CoreTimes | null;
}

/** The "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal … (null off Linux). */
export function coreTimes(): CoreTimes | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
  } catch {
    return null;
  }
}

function nodeLoop(): { cpuMs: number; wallMs: number } {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  // integer mixing only: nothing allocated, so the heap's size and the collector do not enter the figure
  let x = 1;
  for (let i = 0; i < 80_000_000; i++) x = (Math.imul(x, 31) + i) ^ (x >>> 7);
  if (x === 0.5) console.log(x); // never true: keeps the loop's result alive
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

const median3 = async (block: () => Promise<void>): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await block();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1]!;
};

const ROUND_TRIPS = 2000;

async function mariadbLoops(serverUrl: string): Promise<{ mariadbMs: number | null; roundTripUs: number | null }> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ uri: serverUrl });
    const c = conn;
    const mariadbMs = await median3(async () => void (await c.query("SELECT BENCHMARK(500000, MD5('quicksell'))")));
    await c.query('DO 1');
    const blockMs = await median3(async () => {
      for (let i = 0; i < ROUND_TRIPS; i++) await c.query('DO 1');
    });
    return { mariadbMs, roundTripUs: (1000 * blockMs) / ROUND_TRIPS };
  } catch {
    return { mariadbMs: null, roundTripUs: null };
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** Time the loops and the round trips (about two seconds in all) and note the cores' counters; call before the bench's load. */
export async function calibrate(serverUrl = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306/'): Promise<Calibration> {
  nodeLoop(); // warm-up: the first round includes compiling the loop
  const rounds = [nodeLoop(), nodeLoop(), nodeLoop()].sort((a, b) => a.wallMs - b.wallMs);
  const mid = rounds[1]!;
  return { nodeCpuMs: mid.cpuMs, nodeWallMs: mid.wallMs, ...(await mariadbLoops(serverUrl)), cores: coreTimes() };
}

const index = (ref: number, ms: number) => (ref / ms).toFixed(2);
/** the share of the loop's wall time it was not on a core: other work on the machine */
export const waited = (c: Calibration) => Math.max(0, (100 * (c.nodeWallMs - c.nodeCpuMs)) / c.nodeWallMs).toFixed(0);

/** the round trip as the summary lines print it */
export const formatRoundTrip = (c: Calibration): string => (c.roundTripUs == null ? 'round trip —' : `round trip ${c.roundTripUs.toFixed(0)} µs`);

export function formatCalibration(c: Calibration): string {
  const db = c.mariadbMs === null ? 'MariaDB loop: not available' : `MariaDB loop ${c.mariadbMs.toFixed(0)} ms (speed ${index(REFERENCE.mariadbMs, c.mariadbMs)}), ${formatRoundTrip(c)}`;
  return (
    `calibration: Node loop ${c.nodeCpuMs.toFixed(0)} ms CPU (speed ${index(REFERENCE.nodeMs, c.nodeCpuMs)}), ${c.nodeWallMs.toFixed(0)} ms wall (${waited(c)} % waiting for a core), ${db}; ` +
    `speed 1.00 = the reference machine idle on ${REFERENCE.measured}`
  );
}

/** How busy the cores were since `from` (all cores, %) and the steal share of that time. */
export function coresSince(from: CoreTimes | null): { busyPct: number; stealPct: number } | null {
  const now = coreTimes();
  if (!from || !now) return null;
  const [busy, idle, steal] = [now.busy - from.busy, now.idle - from.idle, now.steal - from.steal];
  const all = Math.max(1, busy + idle + steal);
  return { busyPct: (100 * busy) / all, stealPct: (100 * steal) / all };
}

export function formatCores(c: { busyPct: number; stealPct: number } | null): string {
  return c ? `cores ${c.busyPct.toFixed(0)} % busy, steal ${c.stealPct.toFixed(1)} %` : 'cores: not available';
}
