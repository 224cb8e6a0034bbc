import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for the servers a fault run kills and starts again on the same port (its MariaDB, its redis-servers).
 * They are taken below the kernel's ephemeral range: a port from listen(0) is an ephemeral one, and while
 * its server was down the kernel could hand it to one of the machine's outgoing connections, so the server
 * could not listen again (seen: the chaos-short test's MariaDB never came back, ECONNREFUSED to the end of
 * the run, with the bot tests running beside it).
 */
export function ephemeralPortsFrom(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1024 ? low : 32_768;
  } catch {
    return 32_768; // Linux's default; elsewhere a guess
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Lowest port handed out: clear of the well-known and registered services most machines run. */
const FIRST = 10_000;

/**
 * n consecutive free loopback ports below the ephemeral range, each with its port + offset free too (a
 * Redis Cluster node's bus port is port + 10,000), the offset ports below that range as well.
 */
export async function restartablePorts(n: number, offset = 0): Promise<number[]> {
  const span = ephemeralPortsFrom() - FIRST - offset - n;
  if (span <= 0) throw new Error('no room below the ephemeral port range for restartable servers');
  for (let tries = 0; tries < 50; tries++) {
    const base = FIRST + Math.floor(Math.random() * span);
    const ports = Array.from({ length: n }, (_, i) => base + i);
    const all = offset ? ports.flatMap((p) => [p, p + offset]) : ports;
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return ports;
  }
  throw new Error('no free ports below the ephemeral range');
}
