/**
 * A fixed amount of work timed at the start of every bench, and what the machine's cores did during it, so
 * figures from different sessions can be compared: on this shared machine the same code has read up to 3×
 * apart from one session to the next. The ratios each bench prints are measured against a ceiling in the
 * same run and need none of this; absolute rates (orders/s, turns/s) do.
 *
 * - **Node loop**: SHA-256 over 4 KiB chained 20,000 times, then 30 M integer steps, in this process (the
 *   median of three rounds after a warm-up). CPU time and wall time both: wall well above CPU means the
 *   process waited for a core.
 * - **MariaDB loop**: `SELECT BENCHMARK(500000, MD5(…))` on the bench's server (its CPU speed, and how
 *   busy it is).
 * - **Cores** (Linux /proc/stat, all cores): how busy they were over the bench, and the **steal** share:
 *   time the hypervisor gave this machine's virtual cores to someone else.
 *
 * Each loop is also printed as a speed index against the REFERENCE below (higher is faster; 1.00 is the
 * reference machine's speed): divide a figure by it to compare sessions.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';

/** The loops' times on this project's 2-core bench machine, idle, on 2026-11-29 (medians of five runs). */
export const REFERENCE = { nodeMs: 135, mariadbMs: 205, measured: '2026-11-29' };

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
  const block = Buffer.alloc(4096, 7);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let h: Buffer = block;
  for (let i = 0; i < 20_000; i++) h = createHash('sha256').update(block).update(h).digest();
  let x = h[0]!;
  for (let i = 0; i < 30_000_000; i++) x = (x * 31 + i) | 0;
  if (x === 0.5) console.log(x); // never true: keeps the loop's result alive
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function mariadbLoop(serverUrl: string): Promise<number | null> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ uri: serverUrl });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await conn.query("SELECT BENCHMARK(500000, MD5('quicksell'))");
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[1]!;
  } catch {
    return null;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** Time both loops (about a second in all) and note the cores' counters; call before the bench's load. */
export async function calibrate(serverUrl = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306/'): Promise<Calibration> {
  nodeLoop(); // warm-up: the first round includes compiling the loop
  const rounds = [nodeLoop(), nodeLoop(), nodeLoop()].sort((a, b) => a.wallMs - b.wallMs);
  const mid = rounds[1]!;
  return { nodeCpuMs: mid.cpuMs, nodeWallMs: mid.wallMs, mariadbMs: await mariadbLoop(serverUrl), cores: coreTimes() };
}

const index = (ref: number, ms: number) => (ref / ms).toFixed(2);

export function formatCalibration(c: Calibration): string {
  const db = c.mariadbMs === null ? 'MariaDB loop: not available' : `MariaDB loop ${c.mariadbMs.toFixed(0)} ms (speed ${index(REFERENCE.mariadbMs, c.mariadbMs)})`;
  return (
    `calibration: Node loop ${c.nodeWallMs.toFixed(0)} ms wall, ${c.nodeCpuMs.toFixed(0)} ms CPU (speed ${index(REFERENCE.nodeMs, c.nodeWallMs)}), ${db}; ` +
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
