import type { ChildProcess } from 'node:child_process';
/** Small shared pieces for the benchmarks: each bench owns a database and a Redis key prefix and removes both. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { masterConnections, type RedisClient } from '../src/db/redis.js';
import { coresSince, formatCores, type Calibration } from './calibration.js';

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

/**
 * Delete every key under the bench's own prefix (never FLUSHALL: Redis is shared); SCAN runs on every master.
 * Returns how many were deleted. The test run's teardown uses it too (tests/helpers/global-setup.ts).
 */
export async function deleteKeysByPrefix(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for (const node of masterConnections(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      // one DEL per key: on a cluster the keys of one SCAN page may sit in different slots
      for (const key of keys) deleted += await node.del(key);
      cursor = next;
    } while (cursor !== '0');
  }
  return deleted;
}

/** Resident set size of a process in MiB: this one, or another by pid (Linux /proc). */
export function rssMiB(pid?: number): number {
  if (pid === undefined || pid === process.pid) return process.memoryUsage.rss() / 1048576;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** User and system CPU seconds of a process so far (Linux /proc; zeros if it is gone). */
export function cpuSplit(pid: number): { user: number; system: number } {
  try {
    // fields after the command's closing parenthesis: state is field 3; utime and stime are 14 and 15
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 }; // clock ticks: 100 per second on Linux
  } catch {
    return { user: 0, system: 0 };
  }
}

/**
 * A process's read and write system calls so far (/proc/<pid>/io; null where it cannot be read, e.g. another
 * user's process): socket writes are among the costliest things a process does on this VM.
 */
export function syscalls(pid: number): { reads: number; writes: number } | null {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? 0);
    return { reads: field('syscr'), writes: field('syscw') };
  } catch {
    return null;
  }
}

/** One query's tab-separated answer from the MariaDB on the standard loopback port (its own client). */
const mariadbAnswer = (sql: string): string =>
  execFileSync('mariadb', ['-uroot', '-h127.0.0.1', '-N', '-s', '-e', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

/** One numeric field of the Redis on the standard loopback port's INFO section (redis-cli). */
const redisInfoField = (section: string, field: string): string | undefined =>
  new RegExp(`${field}:(\\d+)`).exec(execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'info', section], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[1];

/**
 * The pids of the MariaDB/MySQL and Redis servers on their standard loopback ports (asked of each server:
 * other instances may run on the machine), or null when a client cannot tell.
 */
export function serverPids(): { mysqld: number | null; redis: number | null } {
  const attempt = (read: () => string | undefined): number | null => {
    try {
      const v = Number(read());
      return Number.isInteger(v) && v > 0 ? v : null;
    } catch {
      return null;
    }
  };
  const mysqld = attempt(() => {
    const [file, dir] = mariadbAnswer('SELECT @@pid_file, @@datadir').split('\t');
    return readFileSync(file!.startsWith('/') ? file! : `${dir}/${file}`, 'utf8').trim();
  });
  const redis = attempt(() => redisInfoField('server', 'process_id'));
  return { mysqld, redis };
}

/**
 * Statements MariaDB ran and commands Redis processed (server-wide counters, so anything else running
 * on the machine counts too): sample now, and the returned function reports per unit of work since.
 */
export function roundTripMeter(): (units: number) => string {
  const sample = () => {
    try {
      return {
        sql: Number(mariadbAnswer("SHOW GLOBAL STATUS LIKE 'Questions'").split('\t')[1]),
        redis: Number(redisInfoField('stats', 'total_commands_processed')),
      };
    } catch {
      return null;
    }
  };
  const before = sample();
  return (units) => {
    const after = sample();
    if (!before || !after) return 'round trips: not available';
    const per = (a: number, b: number) => ((a - b) / Math.max(1, units)).toFixed(1);
    return `SQL statements ${per(after.sql, before.sql)}, Redis commands ${per(after.redis, before.redis)} (server-wide counters)`;
  };
}

/**
 * Where the CPU of a phase went: per unit of work (µs) in each named process. Samples now; the
 * returned function samples again and reports. Servers shared with other work on the machine count it too.
 */
export function cpuMeter(pids: Record<string, number | null>): (units: number) => string {
  const before = Object.entries(pids).map(([name, pid]) => ({ name, pid, at: pid ? cpuSplit(pid) : { user: 0, system: 0 }, io: pid ? syscalls(pid) : null }));
  return (units) =>
    before
      .filter((b) => b.pid)
      .map((b) => {
        const now = cpuSplit(b.pid!);
        const [user, system] = [now.user - b.at.user, now.system - b.at.system];
        const us = ((user + system) * 1e6) / Math.max(1, units);
        const io = syscalls(b.pid!);
        const per = (n: number) => (n / Math.max(1, units)).toFixed(1);
        const calls = io && b.io ? `; ${per(io.writes - b.io.writes)} write + ${per(io.reads - b.io.reads)} read calls` : '';
        return `${b.name} ${us.toFixed(0)} µs (${((100 * system) / Math.max(1e-9, user + system)).toFixed(0)} % system${calls})`;
      })
      .join(', ');
}

export interface RssFigures {
  start: number;
  end: number;
  max: number;
}

/**
 * Samples a server process's RSS every 250 ms while it is under load. stop() returns start/end/max in MiB;
 * a bench prints them so a run of 60 s (BENCH_SECONDS=60) shows whether memory settles or keeps growing.
 */
export function sampleRss(pid?: number): { stop(): RssFigures } {
  const start = rssMiB(pid);
  let max = start;
  const timer = setInterval(() => {
    max = Math.max(max, rssMiB(pid));
  }, 250);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const end = rssMiB(pid);
      return { start, end, max: Math.max(max, end) };
    },
  };
}

export interface GcFigures {
  /** time in V8's garbage collector, ms: scavenges of the young generation, and the rest (mark-compact, incremental marking, weak callbacks) */
  youngMs: number;
  otherMs: number;
  scavenges: number;
  /** this process's CPU time over the same span, ms */
  cpuMs: number;
}

/** Time this process spends collecting garbage from now until stop() (V8 reports each pause: PerformanceObserver 'gc'). */
export function sampleGc(): { stop(): GcFigures } {
  const figures = { youngMs: 0, otherMs: 0, scavenges: 0, cpuMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        figures.youngMs += e.duration;
        figures.scavenges += 1;
      } else figures.otherMs += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  return {
    stop() {
      observer.disconnect();
      const used = process.cpuUsage(cpu);
      return { ...figures, cpuMs: (used.user + used.system) / 1000 };
    },
  };
}

export const formatGc = (g: GcFigures): string =>
  `GC pauses ${(g.youngMs + g.otherMs).toFixed(0)} ms, ${((100 * (g.youngMs + g.otherMs)) / Math.max(1, g.cpuMs)).toFixed(1)} % of its CPU time meanwhile ` +
  `(${g.scavenges} scavenges ${g.youngMs.toFixed(0)} ms, mark-compact and the rest ${g.otherMs.toFixed(0)} ms)`;

export const formatRss = (r: RssFigures): string => `RSS start ${r.start.toFixed(0)} MiB, end ${r.end.toFixed(0)} MiB, max ${r.max.toFixed(0)} MiB`;

/** the middle value (the upper middle of an even count); 0 for none */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : 0;
}

/** One row of `npm run bench`'s summary table. */
export interface SummaryRow {
  bench: string;
  /** what is measured, with its value and unit ('engine, hot product @8: 1,020 orders/s') */
  figure: string;
  value: number;
  /** the ceiling measured in the same run, or null when the target is absolute */
  ceiling: number | null;
  ratio: number | null;
  target: string;
  met: boolean;
}

/**
 * Print summary rows as a tagged JSON line; bench/run-all.ts collects them from every bench into one
 * table. A bench run on its own prints them too (the tag marks them as machine-readable).
 */
export function reportSummary(rows: SummaryRow[], rss?: RssFigures, calibration?: Calibration): void {
  const machine = calibration ? { calibration, cores: coresSince(calibration.cores) } : undefined;
  if (machine) console.log(`machine during the bench: ${formatCores(machine.cores)}`);
  console.log(`BENCH-SUMMARY ${JSON.stringify({ rows, rss, machine })}`);
}

/** What a bench's summary line says of the machine: its calibration at the start, its cores over the run. */
export interface MachineReport {
  calibration: Calibration;
  cores: ReturnType<typeof coresSince>;
}

/** Median of a list (used for p50) and a quantile of a sorted list. */
export function quantile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** The next IPC message `cmd` from a bench server child process (rejects if the child exits first). */
export function next<T>(child: ChildProcess, cmd: string): Promise<T> {
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
