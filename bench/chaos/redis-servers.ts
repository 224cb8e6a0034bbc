import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { restartablePorts } from './ports.js';

/**
 * Own redis-server processes on loopback ports, each in its own folder under `dir`: one plain server, or a
 * Redis Cluster of N masters (no replicas) made with `redis-cli --cluster create`. Persistence is on (AOF,
 * fsync always), as a production master's would be: a master killed and restarted comes back with its data
 * and its nodes.conf, so the fault tested is a restart, not a loss of data.
 */
export interface RedisServers {
  /** REDIS_URL for the app: redis://… or redis+cluster://…,… */
  url: string;
  ports: number[];
  /** The port of the master that holds this key's slot. */
  ownerOf(key: string): Promise<number>;
  /** Kill one server (SIGKILL), wait downMs, start it again on the same port and folder, wait until it serves. */
  restart(port: number, downMs?: number): Promise<void>;
  /** Per-server INFO commandstats totals: commands processed (calls) since start. */
  commandCounts(): Promise<Record<number, number>>;
  stop(): Promise<void>;
}

export function haveRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ask(port: number, ...cmd: string[]): Promise<string> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return String(await r.call(cmd[0]!, ...cmd.slice(1)));
  } finally {
    r.disconnect();
  }
}

export async function startRedisServers(opts: { dir: string; masters: number; cluster: boolean }): Promise<RedisServers> {
  const ports = await restartablePorts(opts.masters, 10_000);
  const procs = new Map<number, ChildProcess>();
  rmSync(opts.dir, { recursive: true, force: true });

  function launch(port: number): void {
    const dir = join(opts.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
      '--logfile', join(dir, 'redis.log'), '--protected-mode', 'no',
      ...(opts.cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '5000'] : []),
    ];
    const p = spawn('redis-server', args, { stdio: 'ignore' });
    p.on('error', () => undefined);
    procs.set(port, p);
  }

  for (const port of ports) launch(port);
  for (const port of ports) await waitFor(`redis-server :${port}`, async () => (await ask(port, 'PING')) === 'PONG');
  if (opts.cluster) {
    const made = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`redis-cli --cluster create failed: ${made.stdout}${made.stderr}`);
    await clusterOk(ports);
  }
  const stopAll = () => procs.forEach((p) => p.kill('SIGKILL'));
  process.once('exit', stopAll);

  return {
    url: opts.cluster ? `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}` : `redis://127.0.0.1:${ports[0]}`,
    ports,
    async ownerOf(key) {
      if (!opts.cluster) return ports[0]!;
      const slot = Number(await ask(ports[0]!, 'CLUSTER', 'KEYSLOT', key));
      for (const port of ports) {
        const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
        r.on('error', () => undefined);
        await r.connect();
        const shards = (await r.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
        r.disconnect();
        const owner = shards.find(([from, to]) => slot >= from && slot <= to);
        if (owner) return Number(owner[2][1]);
      }
      throw new Error(`no master owns slot ${slot}`);
    },
    async restart(port, downMs = 2000) {
      const p = procs.get(port);
      p?.kill('SIGKILL');
      if (p && p.exitCode === null) await new Promise((r) => p.once('exit', r));
      await new Promise((r) => setTimeout(r, downMs));
      launch(port);
      await waitFor(`redis-server :${port} back`, async () => (await ask(port, 'PING')) === 'PONG');
      if (opts.cluster) await clusterOk(ports);
    },
    async commandCounts() {
      const out: Record<number, number> = {};
      for (const port of ports) {
        const info = await ask(port, 'INFO', 'commandstats');
        out[port] = [...info.matchAll(/calls=(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
      }
      return out;
    },
    async stop() {
      process.off('exit', stopAll);
      await Promise.all(
        [...procs.values()].map(async (p) => {
          if (p.exitCode !== null) return;
          p.kill('SIGKILL');
          await new Promise((r) => p.once('exit', r));
        }),
      );
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}

async function clusterOk(ports: number[]): Promise<void> {
  for (const port of ports) {
    await waitFor(`cluster_state:ok on :${port}`, async () => /cluster_state:ok/.test(await ask(port, 'CLUSTER', 'INFO')), 30_000);
  }
}
