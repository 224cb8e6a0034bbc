import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * QuickSell processes as an operator runs them: `node --import tsx src/main.ts` with ROLE=web or
 * ROLE=worker and the environment given, each with its log in the run's folder. A process can be
 * SIGKILLed and started again with the same environment (and port).
 */
export interface AppProcess {
  name: string;
  role: 'web' | 'worker';
  /** http://127.0.0.1:PORT for a web process */
  url: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGTERM (graceful shutdown), then SIGKILL after 15 s */
  stop(): Promise<void>;
  restarts: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

class ExitedEarly extends Error {}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startAppProcess(opts: { name: string; role: 'web' | 'worker'; env: Record<string, string>; logDir: string }): Promise<AppProcess> {
  let port = opts.role === 'web' ? await freeTcpPort() : 0;
  const log: WriteStream = createWriteStream(join(opts.logDir, `${opts.name}.log`), { flags: 'a' });
  let proc: ChildProcess | null = null;
  let started = false;

  /**
   * Start, and start again when the process exits while starting (as a supervisor would): main.ts stops at
   * once when MySQL or Redis is not answering, and a fault may be under way.
   */
  async function start(): Promise<void> {
    const until = Date.now() + 180_000;
    for (;;) {
      try {
        return await startOnce(Math.max(1000, until - Date.now()));
      } catch (err) {
        if (!(err instanceof ExitedEarly) || Date.now() > until) throw err;
        log.write(`[chaos] ${opts.name} exited while starting; starting it again in 1 s\n`);
        // the port may have been taken meanwhile (EADDRINUSE): the load balancer learns the new one
        if (opts.role === 'web') port = await freeTcpPort();
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async function startOnce(timeoutMs: number): Promise<void> {
    started = false;
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      // a worker says "started" at info level; a web process is polled on /healthz (its request logs stay off)
      env: { ...process.env, ...opts.env, ROLE: opts.role, PORT: String(port), HOST: '127.0.0.1', WORKER_HTTP_PORT: '0', METRICS_PORT: '0', ...(opts.role === 'worker' ? { LOG_LEVEL: 'info' } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc = p;
    p.stdout!.on('data', (d: Buffer) => {
      log.write(d);
      if (/QuickSell (worker started|\(\w+\) listening)/.test(d.toString())) started = true;
    });
    p.stderr!.on('data', (d: Buffer) => log.write(d));
    // a process that does not come up in time is not left behind (it would serve a stale port)
    const giveUp = (err: unknown) => {
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      throw err;
    };
    await waitUntil(`${opts.name} to start`, async () => {
      if (p.exitCode !== null) throw new ExitedEarly(`${opts.name} exited with ${p.exitCode} (see ${opts.name}.log)`);
      if (opts.role === 'worker') return started;
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      return Boolean(res?.ok);
    }, timeoutMs).catch(giveUp);
  }

  async function signal(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(sig);
    const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  await start();
  const handle: AppProcess = {
    name: opts.name,
    role: opts.role,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    restarts: 0,
    kill: () => signal('SIGKILL', 0),
    async start() {
      handle.restarts += 1;
      await start();
    },
    async stop() {
      await signal('SIGTERM', 15_000);
      log.end();
    },
  };
  process.once('exit', () => proc?.kill('SIGKILL'));
  return handle;
}
