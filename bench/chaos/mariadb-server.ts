import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { restartablePorts } from './ports.js';

/**
 * A MariaDB server of our own (mariadb-install-db into its own datadir, mariadbd on its own loopback port),
 * so a fault run can kill and restart it without touching the machine's server. root, empty password.
 */
export interface MariaDbServer {
  port: number;
  /** mysql://root@127.0.0.1:PORT/<database> */
  urlFor(database: string): string;
  /** SIGKILL the server (a crash: InnoDB recovers on start), keep it down downMs, start it again, wait until it answers. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function haveMariaDb(): boolean {
  // mariadb-install-db has no --version and exits 1 on --help: only "not found" counts
  return !spawnSync('mariadb-install-db', ['--help'], { stdio: 'ignore' }).error && spawnSync('mariadbd', ['--version'], { stdio: 'ignore' }).status === 0;
}


export async function startMariaDb(opts: { dir: string }): Promise<MariaDbServer> {
  rmSync(opts.dir, { recursive: true, force: true });
  const datadir = join(opts.dir, 'data');
  mkdirSync(datadir, { recursive: true });
  const asUser = process.getuid?.() === 0 ? ['--user=root'] : [];
  const init = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...asUser],
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
  // below the ephemeral range, so the port is still ours when the server starts again after a kill
  const port = (await restartablePorts(1))[0]!;
  let proc: ChildProcess | null = null;

  function launch(): void {
    proc = spawn(
      'mariadbd',
      [
        '--no-defaults', `--datadir=${datadir}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(opts.dir, 'mysqld.sock')}`,
        `--pid-file=${join(opts.dir, 'mysqld.pid')}`, `--log-error=${join(opts.dir, 'error.log')}`, '--skip-log-bin',
        '--innodb-buffer-pool-size=256M', '--innodb-log-file-size=64M', '--max-connections=400', ...asUser,
      ],
      { stdio: 'ignore' },
    );
    proc.on('error', () => undefined);
  }

  // the server's own last words (a port taken, InnoDB refusing to start), for the error of a start that failed
  const logTail = () => {
    try {
      return readFileSync(join(opts.dir, 'error.log'), 'utf8').trim().split('\n').slice(-5).join(' | ');
    } catch {
      return '(no error log)';
    }
  };

  async function answering(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
        await c.query('SELECT 1');
        await c.end();
        return;
      } catch (err) {
        if (Date.now() > until) throw new Error(`own mariadbd on :${port} did not answer: ${(err as Error).message}; its log ends: ${logTail()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  launch();
  await answering();
  const killNow = () => proc?.kill('SIGKILL');
  process.once('exit', killNow);

  async function kill(): Promise<void> {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
  }

  return {
    port,
    urlFor: (database) => `mysql://root@127.0.0.1:${port}/${database}`,
    async restart(downMs = 3000) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      launch();
      await answering();
    },
    async stop() {
      process.off('exit', killNow);
      await kill();
      rmSync(opts.dir, { recursive: true, force: true });
    },
  };
}
